"""The processes a bench starts, stopped on every way out: a normal end, an exception, Ctrl-C or SIGTERM;
and seeding a warehouse such a process serves.

    with Children() as children:
        warehouse = children.spawn([sys.executable, "-m", "bot", "warehouse", "serve"], ...)
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from types import FrameType, TracebackType
from typing import Any


class Children:
    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self._previous: Any = None

    def spawn(self, command: list[str], **kwargs: Any) -> subprocess.Popen:
        process = subprocess.Popen(command, **kwargs)
        self.processes.append(process)
        return process

    @staticmethod
    def stop(process: subprocess.Popen, timeout: float = 30) -> int:
        """SIGTERM, then SIGKILL if it has not exited within `timeout`; its exit code."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def serve_warehouse(self, cwd: str, env: dict[str, str]) -> tuple[subprocess.Popen, dict[str, str]]:
        """`agentops warehouse serve` in `cwd`; the process and the SNOWFLAKE_* settings that point at it."""
        process = self.spawn([sys.executable, "-m", "bot", "warehouse", "serve"], cwd=cwd, env=env,
                             stdout=subprocess.PIPE, text=True)
        line = process.stdout.readline() if process.stdout else ""
        found = re.search(r"serving on 127\.0\.0\.1:(\d+)", line)
        if found is None:
            raise SystemExit(f"the warehouse did not start: {line!r}")
        return process, {"SNOWFLAKE_ACCOUNT": "fakesnow", "SNOWFLAKE_USER": "agentops",
                         "SNOWFLAKE_PASSWORD": "embedded", "SNOWFLAKE_HOST": "127.0.0.1",
                         "SNOWFLAKE_PORT": found.group(1), "SNOWFLAKE_PROTOCOL": "http"}

    def __enter__(self) -> Children:
        # a SIGTERM to the bench unwinds through __exit__ like Ctrl-C does
        self._previous = signal.signal(signal.SIGTERM, self._terminated)
        return self

    def _terminated(self, signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            for process in self.processes:  # all told at once, so a second interrupt still leaves none running
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
        finally:
            for process in reversed(self.processes):
                try:
                    self.stop(process, timeout=10)
                except BaseException:
                    process.kill()
            signal.signal(signal.SIGTERM, self._previous)


def seed_remote(snowflake_settings: dict[str, str], scenario: str) -> None:
    """Seed `scenario` into the warehouse those SNOWFLAKE_* settings point at (`agentops warehouse serve`),
    from this process: what `agentops seed --remote` does, without another process start."""
    from datetime import UTC, datetime

    from bot.clock import naive_utc
    from bot.config import load_settings
    from bot.warehouse import open_warehouse
    from seed.loader import seed

    settings = load_settings(**{name.lower(): value for name, value in snowflake_settings.items()})
    with open_warehouse(settings) as warehouse:
        seed(warehouse, scenario, naive_utc(datetime.now(UTC)), reset=True)
