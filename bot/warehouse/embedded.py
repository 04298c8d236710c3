"""The embedded warehouse: fakesnow's Snowflake-protocol server on loopback, backed by DuckDB files.

The real connector talks HTTP to it exactly as it talks to Snowflake. One process owns the
data files at a time (DuckDB locks them); `agentops warehouse serve` shares them between processes.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import threading
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import UserFacingError

if TYPE_CHECKING:  # imported when a server starts: they are heavy
    import uvicorn
    from fakesnow.instance import FakeSnow

log = logging.getLogger(__name__)


class EmbeddedWarehouseError(UserFacingError):
    pass


# fakesnow's server module serves one shared instance, so one embedded server per process
_running: EmbeddedWarehouseServer | None = None


def _remove_stage_directory_at_exit() -> None:
    """fakesnow makes a temporary stage directory when it is imported and never removes it; every
    process that started an embedded warehouse left one behind in the temp dir. It is this
    process's own (created by its import), so it goes when the process does."""
    from fakesnow.transforms import stage

    if stage.LOCAL_BUCKET_PATH not in _stage_directories:
        _stage_directories.add(stage.LOCAL_BUCKET_PATH)
        atexit.register(shutil.rmtree, stage.LOCAL_BUCKET_PATH, ignore_errors=True)


_stage_directories: set[str] = set()


class EmbeddedWarehouseServer:
    """Starts fakesnow's ASGI app under uvicorn in a daemon thread; `stop()` releases the files."""

    def __init__(self, data_dir: Path, database: str, schema: str, host: str = "127.0.0.1", port: int = 0):
        self.data_dir = Path(data_dir)
        self.database, self.schema = database, schema
        self.host, self.port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._fakesnow: FakeSnow | None = None

    def start(self, timeout_sec: float = 10.0) -> EmbeddedWarehouseServer:
        global _running
        # the embedded extra's packages, imported only when an embedded warehouse starts
        try:
            import duckdb
            import fakesnow.server as fakesnow_server
            import uvicorn
            from fakesnow.instance import FakeSnow
        except ImportError as error:
            raise EmbeddedWarehouseError(
                f"the embedded warehouse needs the embedded extra ({error.name} is not installed): "
                "pip install 'agentops[embedded]', or set SNOWFLAKE_ACCOUNT to use Snowflake") from None
        _remove_stage_directory_at_exit()

        if _running is not None:
            raise EmbeddedWarehouseError(
                f"an embedded warehouse is already running in this process ({_running.data_dir}); "
                f"share its Warehouse instead of starting another")

        # fakesnow's server module installs uvicorn's handler at INFO on import: route it through
        # ours instead, and drop a per-query warning about an internal copy that is not ours to fix
        server_log = logging.getLogger("fakesnow.server")
        del server_log.handlers[:]
        server_log.setLevel(max(logging.WARNING, logging.getLogger().level))
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")

        self.data_dir.mkdir(parents=True, exist_ok=True)
        fakesnow = self._fakesnow = FakeSnow(db_path=self.data_dir)
        try:
            # Attach the database file now, so a lock held by another process is reported
            # here, clearly, rather than as an HTTP 500 on the first login.
            fakesnow.connect(self.database, self.schema).close()
        except duckdb.IOException as error:
            fakesnow.duck_conn.close()
            raise EmbeddedWarehouseError(
                f"the embedded warehouse in {self.data_dir} is in use by another agentops process "
                f"(DuckDB allows one); stop that process, or share it with `agentops warehouse serve` "
                f"and point SNOWFLAKE_HOST/SNOWFLAKE_PORT at it"
            ) from error
        # fakesnow's server keeps one module-level instance for logins without a db path;
        # pointing it at our file-backed instance lets every session (and reconnect) share the
        # one DuckDB attachment instead of each login attaching — and locking — the file again.
        fakesnow_server.shared_fs = fakesnow
        config = uvicorn.Config(fakesnow_server.app, host=self.host, port=self.port,
                                log_level="warning", lifespan="off")
        server = self._server = uvicorn.Server(config)
        thread = self._thread = threading.Thread(target=server.run, name="embedded-warehouse", daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout_sec
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise EmbeddedWarehouseError(f"the embedded warehouse did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        _running = self
        log.debug("embedded warehouse serving %s on %s:%s", self.data_dir, self.host, self.port)
        return self

    def stop(self) -> None:
        global _running
        if _running is self:
            _running = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._fakesnow is not None:
            # checkpoint and release the file lock for the next process
            self._fakesnow.duck_conn.close()
        self._server, self._thread, self._fakesnow = None, None, None
