"""Alerts and silences: one firing alert per fingerprint, claimed through the schema's unique index."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.records import Silence, StoredAlert, from_row
from bot.store.tables import alerts, silences


class AlertStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(self, *, fingerprint: str, alert_type: str, severity: str, component: str, message: str,
             metrics: dict, now: datetime, source: str = "warehouse", group_key: str | None = None,
             ) -> StoredAlert | None:
        """Claim `fingerprint` as firing. None when it is already firing (another sweep or replica won)."""
        moment = naive_utc(now)
        alert_id = uuid.uuid4().hex[:16]
        row = dict(alert_id=alert_id, fingerprint=fingerprint, alert_type=alert_type,
                   severity=severity, component=component, message=message, metrics=metrics,
                   status="firing", first_seen_at=moment, last_seen_at=moment, source=source,
                   group_key=group_key)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(alerts).values(**row))
        except IntegrityError:
            return None
        return self.get(alert_id)

    def get(self, alert_id: str) -> StoredAlert | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.alert_id == alert_id)).mappings().first()
        return from_row(StoredAlert, row) if row else None

    def latest(self, fingerprint: str) -> StoredAlert | None:
        """The fingerprint's most recent alert, firing or resolved."""
        with self._engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.fingerprint == fingerprint)
                               .order_by(alerts.c.first_seen_at.desc(), alerts.c.id.desc()).limit(1)).mappings().first()
        return from_row(StoredAlert, row) if row else None

    def firing(self, fingerprint: str) -> StoredAlert | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.fingerprint == fingerprint,
                                                    alerts.c.status == "firing")).mappings().first()
        return from_row(StoredAlert, row) if row else None

    def list_firing(self, source: str | None = None) -> list[StoredAlert]:
        """Every firing alert, or those one source raised (`warehouse` | `ingest`)."""
        query = select(alerts).where(alerts.c.status == "firing")
        if source is not None:
            query = query.where(alerts.c.source == source)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(alerts.c.first_seen_at)).mappings().all()
        return [from_row(StoredAlert, r) for r in rows]

    def firing_of(self, fingerprints: Collection[str], source: str | None = None) -> list[StoredAlert]:
        """The firing alerts among `fingerprints` (an ingested notification's): its cost is the notification's
        size, not the number of alerts firing."""
        query = select(alerts).where(alerts.c.status == "firing", alerts.c.fingerprint.in_(list(fingerprints)))
        if source is not None:
            query = query.where(alerts.c.source == source)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(alerts.c.first_seen_at)).mappings().all()
        return [from_row(StoredAlert, r) for r in rows]

    def group_post(self, group_key: str) -> StoredAlert | None:
        """A posted, firing alert of a notification group: later alerts of the group join its post."""
        with self._engine.connect() as conn:
            row = conn.execute(select(alerts).where(
                alerts.c.group_key == group_key, alerts.c.status == "firing", alerts.c.slack_ts.is_not(None),
            ).order_by(alerts.c.id).limit(1)).mappings().first()
        return from_row(StoredAlert, row) if row else None

    def record_post(self, alert_id: str | Sequence[str], channel: str, ts: str, now: datetime) -> None:
        """Where the alerts were posted; the alerts of one post in one transaction, so none of them is
        left unposted (and posted again) when the store fails part-way."""
        ids = [alert_id] if isinstance(alert_id, str) else list(alert_id)
        with self._engine.begin() as conn:
            conn.execute(update(alerts).where(alerts.c.alert_id.in_(ids))
                         .values(slack_channel=channel, slack_ts=ts, last_notified_at=naive_utc(now)))
            # an alert joining a post already marked "Not a problem" is marked with it (the post is one)
            marked = conn.execute(select(alerts.c.not_problem_by, alerts.c.not_problem_at).where(
                alerts.c.slack_channel == channel, alerts.c.slack_ts == ts, alerts.c.not_problem_at.is_not(None))
                .order_by(alerts.c.id).limit(1)).first()
            if marked is not None:
                conn.execute(update(alerts).where(alerts.c.alert_id.in_(ids), alerts.c.not_problem_at.is_(None))
                             .values(not_problem_by=marked.not_problem_by, not_problem_at=marked.not_problem_at))

    # Compare-and-set claims: of several replicas making the same call, exactly one gets True.

    def claim_post(self, alert_id: str, replica: str, now: datetime, lease: timedelta) -> int:
        """The right to post a firing, unposted alert; a lease left by a dead replica runs out.

        Returns the attempt this claim is (0: not claimed); past the first, an earlier one may have posted."""
        moment = naive_utc(now)
        with self._engine.begin() as conn:
            row = conn.execute(update(alerts).where(
                alerts.c.alert_id == alert_id, alerts.c.status == "firing", alerts.c.slack_ts.is_(None),
                or_(alerts.c.post_claimed_at.is_(None), alerts.c.post_claimed_at < moment - lease),
            ).values(post_claimed_at=moment, post_claimed_by=replica, post_attempts=alerts.c.post_attempts + 1)
                .returning(alerts.c.post_attempts)).first()
        return int(row.post_attempts) if row else 0

    def renew_post_claims(self, alert_ids: Sequence[str], replica: str, now: datetime) -> int:
        """The heartbeat of a post in progress: its claims stay this replica's while it is alive."""
        with self._engine.begin() as conn:
            return conn.execute(update(alerts).where(
                alerts.c.alert_id.in_(list(alert_ids)), alerts.c.post_claimed_by == replica,
                alerts.c.post_claimed_at.is_not(None),  # a released claim stays released
                alerts.c.slack_ts.is_(None)).values(post_claimed_at=naive_utc(now))).rowcount

    def release_post(self, alert_ids: Sequence[str], replica: str) -> None:
        """A post that did not go out: any replica's next sweep may try again at once (not after the
        lease); the attempt count stays, so it looks for the post first."""
        with self._engine.begin() as conn:
            conn.execute(update(alerts).where(
                alerts.c.alert_id.in_(list(alert_ids)), alerts.c.post_claimed_by == replica,
                alerts.c.slack_ts.is_(None)).values(post_claimed_at=None))

    def claim_repeat(self, alert_id: str, last_notified_at: datetime | None, now: datetime) -> bool:
        """The right to re-notify: moves last_notified_at only if nobody moved it since we read it."""
        with self._engine.begin() as conn:
            claimed = conn.execute(update(alerts).where(
                alerts.c.alert_id == alert_id, alerts.c.status == "firing",
                alerts.c.last_notified_at.is_(None) if last_notified_at is None
                else alerts.c.last_notified_at == naive_utc(last_notified_at),
            ).values(last_notified_at=naive_utc(now))).rowcount
        return claimed == 1

    def change_severity(self, alert_id: str, old: str, new: str, message: str, metrics: dict) -> bool:
        with self._engine.begin() as conn:
            changed = conn.execute(update(alerts).where(
                alerts.c.alert_id == alert_id, alerts.c.status == "firing", alerts.c.severity == old,
            ).values(severity=new, message=message, metrics=metrics)).rowcount
        return changed == 1

    def sharing_post(self, slack_channel: str, slack_ts: str) -> list[StoredAlert]:
        """Alerts of one component that fired in one sweep share one message."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(alerts).where(alerts.c.slack_channel == slack_channel,
                                                     alerts.c.slack_ts == slack_ts)
                                .order_by(alerts.c.id)).mappings().all()
        return [from_row(StoredAlert, r) for r in rows]

    def mark_not_problem(self, alert_ids: Sequence[str], user: str, now: datetime) -> bool:
        """Mark a post's alerts (the lead first) a false positive; False when someone did already. The lead's
        row decides, so across replicas exactly one click wins, for the whole post."""
        moment, lead = naive_utc(now), alert_ids[0]
        with self._engine.begin() as conn:
            won = conn.execute(update(alerts).where(alerts.c.alert_id == lead, alerts.c.not_problem_at.is_(None))
                               .values(not_problem_by=user, not_problem_at=moment)).rowcount
            if won != 1:
                return False
            if len(alert_ids) > 1:
                conn.execute(update(alerts).where(alerts.c.alert_id.in_(list(alert_ids[1:])))
                             .values(not_problem_by=user, not_problem_at=moment))
        return True

    def resolve(self, fingerprint: str, now: datetime, source: str | None = None) -> StoredAlert | None:
        """Mark the firing alert resolved; None when nothing was firing (already resolved elsewhere).
        With `source`, only an alert that source raised: a sweep never resolves an ingested alert."""
        query = update(alerts).where(alerts.c.fingerprint == fingerprint, alerts.c.status == "firing")
        if source is not None:
            query = query.where(alerts.c.source == source)
        with self._engine.begin() as conn:
            row = conn.execute(
                query.values(status="resolved", resolved_at=naive_utc(now)).returning(alerts.c.alert_id)
            ).first()
        return self.get(row.alert_id) if row else None


class SilenceStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, fingerprint: str, created_by: str, starts_at: datetime, ends_at: datetime,
            reason: str = "") -> Silence:
        with self._engine.begin() as conn:
            key = conn.execute(insert(silences).values(
                fingerprint=fingerprint, created_by=created_by, reason=reason,
                starts_at=naive_utc(starts_at), ends_at=naive_utc(ends_at))).inserted_primary_key
            assert key is not None  # an INSERT of one row always reports its new id
            row = conn.execute(select(silences).where(silences.c.id == key[0])).mappings().one()
        return from_row(Silence, row)

    def active(self, fingerprint: str, now: datetime) -> Silence | None:
        moment = naive_utc(now)
        with self._engine.connect() as conn:
            row = conn.execute(select(silences).where(
                silences.c.fingerprint == fingerprint, silences.c.starts_at <= moment,
                silences.c.ends_at > moment).order_by(silences.c.ends_at.desc())).mappings().first()
        return from_row(Silence, row) if row else None

    def list_active(self, now: datetime) -> list[Silence]:
        """Every silence in force, the soonest to end first."""
        moment = naive_utc(now)
        with self._engine.connect() as conn:
            rows = conn.execute(select(silences).where(silences.c.starts_at <= moment, silences.c.ends_at > moment)
                                .order_by(silences.c.ends_at, silences.c.id)).mappings().all()
        return [from_row(Silence, r) for r in rows]

    def end(self, fingerprint: str, now: datetime) -> int:
        """End the fingerprint's silences in force now (kept, for the record, as having ended now)."""
        moment = naive_utc(now)
        with self._engine.begin() as conn:
            return conn.execute(update(silences).where(
                silences.c.fingerprint == fingerprint, silences.c.starts_at <= moment,
                silences.c.ends_at > moment).values(ends_at=moment)).rowcount
