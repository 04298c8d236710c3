"""One incident per alert post: the alerts of one component posted together share their incident.

Alertmanager's group_by: drift and the F1 drop of one model are one cause, so they are one incident,
resolved when the whole group clears. `incident_alerts` lists each incident's alerts; an incident's
own alert_id stays as the group's lead (the alert its INCIDENTS row is filed under). Incidents opened
before this revision keep their one alert each.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_alerts",
        sa.Column("alert_id", sa.String(40), primary_key=True),
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.incident_id"), nullable=False,
                  index=True),
    )
    op.execute("INSERT INTO incident_alerts (alert_id, incident_id) SELECT alert_id, incident_id FROM incidents")


def downgrade() -> None:
    op.drop_table("incident_alerts")
