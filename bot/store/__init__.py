"""The state store: alerts, silences, investigations, approvals, incidents, the audit log, feedback,
escalations and model spend.

SQLite file by default, PostgreSQL for several replicas; correctness across replicas comes
from the schema's unique keys, never from process memory.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.errors import UserFacingError
from bot.store.alerts import AlertStore, SilenceStore
from bot.store.analytics import AnalyticsQueries
from bot.store.approvals import ApprovalStore, DecisionOutcome, DecisionResult
from bot.store.audit import AuditLog
from bot.store.budget import BudgetNotices, SpendLedger
from bot.store.engine import make_engine, migrate
from bot.store.escalations import EscalationStore
from bot.store.feedback import FeedbackStore
from bot.store.governance_notices import GovernanceNotices
from bot.store.incidents import IncidentStore
from bot.store.ingest import IngestGroups, IngestSignatures
from bot.store.investigations import InvestigationStore
from bot.store.postmortems import PostmortemStore
from bot.store.replays import ReplayStore
from bot.store.track_record import TrackRecords
from bot.store.votes import ApprovalVotes

__all__ = ["DecisionOutcome", "DecisionResult", "Store", "StoreUnavailable", "open_store"]


class StoreUnavailable(UserFacingError):
    pass


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.alerts = AlertStore(engine)
        self.silences = SilenceStore(engine)
        self.investigations = InvestigationStore(engine)
        self.approvals = ApprovalStore(engine)
        self.incidents = IncidentStore(engine)
        self.audit = AuditLog(engine)
        self.feedback = FeedbackStore(engine)
        self.escalations = EscalationStore(engine)
        self.ingest_signatures = IngestSignatures(engine)
        self.ingest_groups = IngestGroups(engine)
        self.replays = ReplayStore(engine)
        self.votes = ApprovalVotes(engine)
        self.governance_notices = GovernanceNotices(engine)
        self.track_records = TrackRecords(engine)
        self.analytics = AnalyticsQueries(engine)
        self.spend = SpendLedger(engine)
        self.budget_notices = BudgetNotices(engine)
        self.postmortems = PostmortemStore(engine)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str) -> Store:
    """Connect and migrate to the newest schema; unreachable → StoreUnavailable with a clear message."""
    try:
        engine = make_engine(url)
    except OSError as error:  # the SQLite file's directory cannot be made
        raise StoreUnavailable(f"state store (sqlite) unavailable: {error.strerror or error}: "
                               f"{make_url(url).database} cannot be created or written; check DATABASE_URL") from None
    try:
        migrate(engine)
    except Exception as error:
        engine.dispose()
        backend = engine.dialect.name
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        raise StoreUnavailable(f"state store ({backend}) unavailable: {reason}; check DATABASE_URL") from None
    return Store(engine)
