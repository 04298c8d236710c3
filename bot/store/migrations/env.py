"""Alembic environment: runs on the connection handed over by bot.store.migrate (online only)."""

from alembic import context

from bot.store.tables import metadata

connection = context.config.attributes["connection"]
# SQLite rebuilds a table to drop a column (batch mode): with foreign keys enforced, rebuilding incidents
# or alerts under incident_alerts' rows fails. SQLite ignores the pragma inside a transaction, so it is
# set on the driver connection before BEGIN, and set back after the commit.
# (A caller that handed over a connection inside its own transaction keeps it: the pragma would be ignored
# there anyway, and committing is the caller's to do.)
sqlite = connection.dialect.name == "sqlite" and not connection.in_transaction()
if sqlite:
    connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
try:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    if sqlite and connection.in_transaction():
        connection.commit()
finally:
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
