"""The real Prometheus Alertmanager (Debian's prometheus-alertmanager) as a test's sender: its own config,
one webhook receiver pointing at the bot with bearer authorization and send_resolved, short group timers."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers.slack_bot import free_port

BINARIES = ("prometheus-alertmanager", "alertmanager")

CONFIG = """\
route:
  receiver: agentops
  group_by: [model]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: agentops
    webhook_configs:
      - url: {url}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"""


def binary() -> str:
    found = next((path for name in BINARIES if (path := shutil.which(name))), None)
    if found is None:
        reason = "no Alertmanager binary (apt-get install prometheus-alertmanager)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI requires it (.ci/run installs it)")
        pytest.skip(reason)
    return found


@contextmanager
def alertmanager(workdir: Path, webhook_url: str, token: str) -> Iterator[str]:
    """A running Alertmanager that notifies `webhook_url`; yields its base URL. Stopped on every way out."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "alertmanager.yml"
    config.write_text(CONFIG.format(url=webhook_url, token=token))
    port = free_port()
    log = (workdir / "alertmanager.log").open("w")
    process = subprocess.Popen([binary(), f"--config.file={config}", f"--storage.path={workdir / 'data'}",
                                f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Alertmanager did not start:\n{(workdir / 'alertmanager.log').read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
