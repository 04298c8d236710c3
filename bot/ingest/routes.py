"""The ingest webhook on the bot's HTTP server: POST /ingest/alertmanager (Alertmanager webhook v4 and
Grafana's variant) and POST /ingest/alert (one generic alert). Each request is checked in the order that
costs least — on, size, bearer token, body, signature, content type, shape, replay — and every refusal is
a 4xx JSON `{"error", "field"}`. An accepted notification goes through the monitor's notifier at once;
when the store or Slack cannot finish it, a 503 asks the sender to retry (Alertmanager does)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import ClientPayloadError, web

from bot.deps import Deps
from bot.ingest import auth
from bot.ingest.auth import Refused
from bot.ingest.labels import Ingested, LabelMap, from_alertmanager, from_generic
from bot.ingest.payloads import AlertmanagerNotification, GenericAlert, PayloadError, parse
from bot.monitor.notifier import Notifier

log = logging.getLogger("agentops.ingest")
ALERTMANAGER_PATH, ALERT_PATH = "/ingest/alertmanager", "/ingest/alert"
JSON_TYPES = ("application/json",)
CHUNK = 64 * 1024
SIGNATURE_LEASE_MARGIN = timedelta(seconds=30)  # beyond the request's repost deadline: its store calls


class IngestRoutes:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.labels = LabelMap.from_settings(deps.settings)
        self.notifier = Notifier(deps, replica=f"{socket.gethostname()}:{os.getpid()}:ingest")

    def add_to(self, app: web.Application) -> None:
        app.router.add_post(ALERTMANAGER_PATH, self.alertmanager)
        app.router.add_post(ALERT_PATH, self.alert)

    async def alertmanager(self, request: web.Request) -> web.Response:
        return await self._handle(request, lambda body, now: from_alertmanager(
            parse(AlertmanagerNotification, body), self.labels, now))

    async def alert(self, request: web.Request) -> web.Response:
        return await self._handle(request, lambda body, now: from_generic(parse(GenericAlert, body), now))

    async def _handle(self, request: web.Request, read: Callable[[bytes, datetime], Ingested]) -> web.Response:
        now = self.deps.clock.now()
        signature = ""
        try:
            body, signature = await self._admit(request, now)
            try:  # a worker thread: parsing a large body must not hold up the bot's loop (Slack acks)
                ingested = await asyncio.to_thread(read, body, now)
            except PayloadError as error:
                raise Refused(422 if error.field else 400, error.problem, error.field) from None
            if signature and (use := await self._begin(signature, now)) != "first":
                signature = ""  # not ours to forget: the first request holds it
                if use == "running":  # the sender resent it before its first try answered: not lost, not twice
                    return await self._retry_later("", "this signed request is still being processed")
                raise Refused(409, "this signed request was already accepted (replayed); sign each request anew")
            async with self.deps.work.slot():
                pending = await self.notifier.apply_ingested(ingested.firing, ingested.resolved,
                                                             ingested.group_key, now)
        except Refused as refused:
            self._count(str(refused.status))
            body_out = {"error": refused.reason} | ({"field": refused.field[:300]} if refused.field else {})
            return web.json_response(body_out, status=refused.status)
        except Exception as error:  # the store is down: nothing was lost, the sender keeps the alert and retries
            log.error("ingest failed (%s: %s); the sender is asked to retry", type(error).__name__,
                      str(error).splitlines()[0][:200] if str(error) else "")
            return await self._retry_later(signature, "the alert could not be stored now")
        if pending:
            return await self._retry_later(signature, f"{len(pending)} alert(s) not announced yet", pending)
        if signature:
            await self._finish(signature, now)
        self._count("accepted")
        return web.json_response({"status": "accepted", "firing": sorted(ingested.firing),
                                  "resolved": sorted(ingested.resolved)})

    async def _admit(self, request: web.Request, now: datetime) -> tuple[bytes, str]:
        """The body, and its signature when it was signed rather than sent with the bearer token."""
        settings = self.deps.settings
        if not auth.enabled(settings):
            raise Refused(403, auth.HOW_TO_ENABLE)
        limit = settings.ingest_max_bytes
        if request.content_length is not None and request.content_length > limit:
            raise Refused(413, f"the body is {request.content_length:,} bytes; at most {limit:,} are accepted "
                          "(INGEST_MAX_BYTES)")
        bearer = auth.bearer_accepted(request.headers, settings)  # before reading: strangers cost nothing
        if not bearer and not (settings.ingest_hmac_secret and request.headers.get(auth.SIGNATURE_HEADER)):
            auth.verified_signature(request.headers, b"", settings, now)  # raises: says what to send
        body = await _read_at_most(request, limit)
        signature = "" if bearer else auth.verified_signature(request.headers, body, settings, now)
        if request.content_type not in JSON_TYPES:
            raise Refused(415, f"expected Content-Type: application/json, got {request.content_type[:80]!r}")
        return body, signature

    async def _begin(self, signature: str, now: datetime) -> str:
        # the lease outlasts the request: its posts give up within one poll interval (then it answers 503)
        lease = timedelta(seconds=self.deps.settings.monitor_poll_interval_sec) + SIGNATURE_LEASE_MARGIN
        return await asyncio.to_thread(self.deps.store.ingest_signatures.begin, signature, now,
                                       self.deps.settings.ingest_hmac_window, lease)

    async def _finish(self, signature: str, now: datetime) -> None:
        try:
            await asyncio.to_thread(self.deps.store.ingest_signatures.done, signature, now,
                                    self.deps.settings.ingest_hmac_window)
        except Exception:  # its lease lapses instead: a resend is then processed again, which changes nothing
            log.warning("could not record signature %s… as processed", signature[:12])

    async def _retry_later(self, signature: str, why: str, pending: list[str] | None = None) -> web.Response:
        self._count("retry")
        if signature:  # the sender's retry carries the same signature: let it in
            try:
                await asyncio.to_thread(self.deps.store.ingest_signatures.forget, signature)
            except Exception:
                log.warning("could not release signature %s… for the retry", signature[:12])
        body: dict[str, object] = {"error": f"{why}; retry"} | ({"pending": pending[:50]} if pending else {})
        return web.json_response(body, status=503, headers={"Retry-After": "5"})

    def _count(self, outcome: str) -> None:
        self.deps.metrics.ingest_requests.labels(outcome=outcome).inc()


async def _read_at_most(request: web.Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` (a chunked body declares no length)."""
    chunks, size = [], 0
    try:
        while chunk := await request.content.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"the body is over {limit:,} bytes (INGEST_MAX_BYTES)")
            chunks.append(chunk)
    except (ClientPayloadError, ConnectionError):
        raise Refused(400, "the body ended before its declared length (or its chunked encoding is broken)") from None
    return b"".join(chunks)
