"""The ML serving service client (SPEC §4). Read calls here; each has a timeout, and being
idempotent they are retried a bounded number of times on connection errors and 5xx."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

log = logging.getLogger("agentops.ml_service")


class MLServiceUnavailable(Exception):
    """The service did not answer usefully; the message says where and why, never with secrets."""


class MLService:
    def __init__(self, base_url: str, timeout_sec: float, retries: int = 2) -> None:
        self.base_url = base_url.rstrip("/")
        self._retries = retries
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout_sec)

    def health(self) -> Any:
        return self._get("/health")

    def ready(self) -> Any:
        return self._get("/ready")

    def model_info(self) -> Any:
        return self._get("/model/info")

    def training_status(self, model_type: str | None = None) -> Any:
        return self._get("/training/status", {"model_type": model_type} if model_type else None)

    def close(self) -> None:
        self._client.close()

    def _get(self, path: str, params: dict | None = None) -> Any:
        problem = ""
        for attempt in range(1 + self._retries):
            if attempt:
                time.sleep(min(0.2 * 2**attempt, 2.0))
            try:
                response = self._client.get(path, params=params)
            except httpx.TransportError as error:
                problem = type(error).__name__
                continue
            if response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise MLServiceUnavailable(f"ML service at {self.base_url} answered {path} with "
                                           f"HTTP {response.status_code}")
            return response.json()
        raise MLServiceUnavailable(f"ML service at {self.base_url} did not answer {path} ({problem}); "
                                   "check ML_SERVICE_URL and that the service is up")
