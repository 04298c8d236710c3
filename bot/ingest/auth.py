"""Who may post alerts: a bearer token (what Alertmanager's `http_config.authorization` sends) or an
HMAC-SHA256 signature over `timestamp.body`, each compared in constant time. A signature is good for
INGEST_HMAC_WINDOW around its timestamp and once (replay memory in the state store, shared by replicas)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime

from bot.config import Settings

SIGNATURE_HEADER = "X-AgentOps-Signature"  # "sha256=" + hex HMAC-SHA256 of f"{timestamp}." + body
TIMESTAMP_HEADER = "X-AgentOps-Timestamp"  # Unix seconds
HOW_TO_ENABLE = ("ingest is off: set INGEST_TOKEN (sent as Authorization: Bearer …) or INGEST_HMAC_SECRET "
                 f"(requests signed in {SIGNATURE_HEADER} and {TIMESTAMP_HEADER}) to enable it")


class Refused(Exception):
    """A request turned away before its body means anything: HTTP status and the reason to answer."""

    def __init__(self, status: int, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.status, self.reason, self.field = status, reason, field


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "replace")  # header text may hold undecodable bytes: never an error here


def enabled(settings: Settings) -> bool:
    return bool(settings.ingest_token or settings.ingest_hmac_secret)


def bearer_accepted(headers: Mapping[str, str], settings: Settings) -> bool:
    """True for the right bearer token; Refused for a wrong one; False when none was sent."""
    scheme, _, credentials = headers.get("Authorization", "").partition(" ")
    if not credentials or scheme.lower() != "bearer":
        return False
    token = settings.ingest_token
    if token is None or not hmac.compare_digest(_bytes(credentials.strip()), _bytes(token.get_secret_value())):
        raise Refused(401, "the bearer token is not the one INGEST_TOKEN holds")
    return True


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp` (what a sender computes)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verified_signature(headers: Mapping[str, str], body: bytes, settings: Settings, now: datetime) -> str:
    """The request's signature (hex) when it is valid and fresh; Refused otherwise. The caller checks replay."""
    secret = settings.ingest_hmac_secret
    signature, timestamp = headers.get(SIGNATURE_HEADER, ""), headers.get(TIMESTAMP_HEADER, "")
    if secret is None or not signature:
        ways = (["Authorization: Bearer <INGEST_TOKEN>"] if settings.ingest_token else []) + (
            [f"a signature ({SIGNATURE_HEADER} and {TIMESTAMP_HEADER})"] if secret else [])
        raise Refused(401, f"missing credentials: send {' or '.join(ways)}")
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        raise Refused(401, f"{TIMESTAMP_HEADER} must be the Unix time in seconds the request was signed at")
    skew = abs(now.timestamp() - int(timestamp))
    if skew > settings.ingest_hmac_window.total_seconds():
        raise Refused(401, f"{TIMESTAMP_HEADER} is {skew:.0f} s away from now (allowed: "
                      f"{settings.ingest_hmac_window.total_seconds():.0f} s); sign each request when sending it")
    expected = sign(secret.get_secret_value(), timestamp, body)
    if not hmac.compare_digest(_bytes(signature.strip()), expected.encode()):
        raise Refused(401, f"{SIGNATURE_HEADER} does not match the body (expected sha256=<hex HMAC-SHA256 of "
                      "timestamp + '.' + body, keyed with INGEST_HMAC_SECRET>)")
    return expected.removeprefix("sha256=")
