"""The ML serving service client (SPEC §4): health, readiness, model info, reload, rollback,
training trigger and status, metrics.

Every call has a timeout. Reads are idempotent, so connection errors and 5xx are retried a
bounded number of times. Writes (reload, rollback, trigger) change the served model: they are
retried only when the request provably never reached the service (the connection was refused),
because a lost answer to a rollback must not become a second rollback.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from bot.redact import NO_SECRETS, Redactor

log = logging.getLogger("agentops.ml_service")


class MLServiceUnavailable(Exception):
    """The service did not answer usefully; the message says where and why, never with secrets."""


class MLServiceRejected(MLServiceUnavailable):
    """The service answered with a 4xx: it understood and refused (e.g. nothing to roll back to); not retried."""


class MLService:
    def __init__(self, base_url: str, timeout_sec: float, retries: int = 2, redact: Redactor = NO_SECRETS) -> None:
        self.base_url = base_url.rstrip("/")
        # what messages call it: without any user:password the URL carries
        self.shown_url = without_credentials(self.base_url)
        self._retries = retries
        # the service's error messages reach the thread, the incident and the store: no secret it echoes may
        self._redact = redact
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout_sec)

    # reads ------------------------------------------------------------------------------------
    def health(self) -> Any:
        return self._call("GET", "/health")

    def ready(self) -> Any:
        return self._call("GET", "/ready")

    def model_info(self, model_type: str | None = None) -> Any:
        return self._call("GET", "/model/info", params={"model_type": model_type} if model_type else None)

    def training_status(self, model_type: str | None = None) -> Any:
        return self._call("GET", "/training/status", params={"model_type": model_type} if model_type else None)

    def metrics(self) -> str:
        return self._call("GET", "/metrics", text=True)

    # writes -----------------------------------------------------------------------------------
    def reload(self, model_type: str) -> Any:
        return self._call("POST", "/model/reload", json={"model_type": model_type})

    def rollback(self, model_type: str) -> Any:
        return self._call("POST", "/model/rollback", json={"model_type": model_type})

    def trigger_training(self, model_type: str, data_version: str) -> Any:
        return self._call("POST", "/training/trigger", json={"model_type": model_type, "data_version": data_version})

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, *, params: dict | None = None, json: dict | None = None,
              text: bool = False) -> Any:
        idempotent = method == "GET"
        problem = ""
        for attempt in range(1 + self._retries):
            if attempt:
                time.sleep(min(0.2 * 2**attempt, 2.0))
            try:
                response = self._client.request(method, path, params=params, json=json)
            except httpx.ConnectError as error:  # never reached the service: safe to repeat, even a write
                problem = type(error).__name__
                continue
            except httpx.TransportError as error:
                problem = "timed out" if isinstance(error, httpx.TimeoutException) else type(error).__name__
                if idempotent:
                    continue
                raise MLServiceUnavailable(self._unanswered(method, path, problem, written=True)) from None
            if response.status_code >= 500:
                problem = f"HTTP {response.status_code}{self._detail(response)}"
                if idempotent:
                    continue
                raise MLServiceUnavailable(self._unanswered(method, path, problem, written=True))
            if response.status_code >= 400:
                raise MLServiceRejected(f"ML service at {self.shown_url} refused {method} {path}: "
                                        f"HTTP {response.status_code}{self._detail(response)}")
            return response.text if text else response.json()
        raise MLServiceUnavailable(self._unanswered(method, path, problem, written=False))

    def _unanswered(self, method: str, path: str, problem: str, *, written: bool) -> str:
        if written:
            # the service may or may not have acted: say so rather than guess
            return (f"ML service at {self.shown_url} did not confirm {method} {path} ({problem}); it may or may "
                    "not have acted; check the model's state before trying again")
        return (f"ML service at {self.shown_url} did not answer {method} {path} ({problem}); "
                "check ML_SERVICE_URL and that the service is up")

    def _detail(self, response: httpx.Response) -> str:
        """The service's own error message, when it gave one."""
        try:
            body = response.json()
        except ValueError:
            return ""
        message = body.get("error") if isinstance(body, dict) else None
        return f": {self._redact(str(message))[:300]}" if message else ""


def without_credentials(url: str) -> str:
    """`url` as it may be shown or stored: a user:password@ in it is dropped."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))
