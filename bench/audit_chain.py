"""What the audit log's hash chain costs: appends per second (one writer, and four at once taking turns on the
chain head) and how long `agentops audit verify`'s walk takes, on SQLite and, given a URL, PostgreSQL.

Run: .venv/bin/python bench/audit_chain.py [--entries 10000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
     .venv/bin/python bench/audit_chain.py --smoke   (a short run; CI runs it so the bench cannot rot)

Each store is fresh (a temporary SQLite file, or a temporary schema dropped afterwards). Half the entries come
from one thread, half from four threads at once; then the whole chain is verified, which must find it intact.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.store import Store, open_store  # noqa: E402

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def append(store: Store, count: int, worker: int) -> None:
    for i in range(count):
        store.audit.record(actor="U0LEAD", action="approval.decide", subject=f"req-{worker}-{i}", outcome="approved",
                           now=NOW + timedelta(seconds=i), details={"worker": worker, "i": i}, channel="C0ALERTS")


def appends_per_sec(store: Store, count: int, writers: int) -> float:
    threads = [threading.Thread(target=append, args=(store, count // writers, w)) for w in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (count // writers * writers) / (time.perf_counter() - start)


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def measure(name: str, url: str, entries: int) -> None:
    store = open_store(url)
    try:
        one = appends_per_sec(store, entries // 2, 1)
        four = appends_per_sec(store, entries - entries // 2, 4)
        start = time.perf_counter()
        report = store.audit.verify()
        walked = time.perf_counter() - start
    finally:
        store.close()
    if not report.intact or report.entries != entries:
        raise SystemExit(f"{name}: the chain did not verify: {report}")
    print(f"{name:10} appends/s: {one:7.0f} (1 writer) {four:7.0f} (4 writers)   verify {report.entries} entries: "
          f"{walked:.2f} s ({report.entries / walked:,.0f} entries/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server (a temporary schema)")
    parser.add_argument("--smoke", action="store_true", help="200 entries on SQLite: checks the bench still works")
    args = parser.parse_args()
    entries = 200 if args.smoke else args.entries
    with tempfile.TemporaryDirectory() as tmp:
        measure("sqlite", f"sqlite:///{tmp}/state.db", entries)
    if args.postgres and not args.smoke:
        with postgres_schema(args.postgres) as url:
            measure("postgresql", url, entries)


if __name__ == "__main__":
    main()
