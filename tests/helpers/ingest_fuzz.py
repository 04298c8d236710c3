"""Fuzzed ingest requests, reproducible from a seed: truncated JSON, wrong types where types are required,
missing fields, oversized bodies, missing, forged or stale credentials, replays and wrong content types.
Every one must be refused with a 4xx; none may post."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.ingest.auth import SIGNATURE_HEADER, TIMESTAMP_HEADER
from seed.slack.hostile import STRINGS
from tests.helpers.ingest import BEARER, am_alert, am_notification, generic_alert, grafana_notification, signed

FIVE_MB = 5 * 1024 * 1024
AM_REQUIRED, GENERIC_REQUIRED = ("groupKey", "status", "alerts"), ("severity", "alert_type", "affected_component",
                                                                    "timestamp")


@dataclass
class Probe:
    kind: str
    path: str
    body: bytes
    headers: dict[str, str]


# (path in the payload, values that can never be valid there)
AM_WRONG: list[tuple[tuple, list]] = [
    (("status",), [None, 1, "pending", [], {}, True]),
    (("groupKey",), [None, 7, [], {}, ""]),
    (("alerts",), [None, {}, "alerts", [], 3, [None], [1], ["x"]]),
    (("truncatedAlerts",), ["1", -1, 1.5, None, []]),
    (("version",), [4, None, [], {}]),
    (("commonLabels",), [[], "x", 1, {"model": 1}]),
    (("alerts", 0, "status"), [None, "pending", 0, []]),
    (("alerts", 0, "labels"), [None, [], "x", 5, {"model": None}, {"model": 5}, {}]),
    (("alerts", 0, "labels", "model"), [1, None, [], {}, 2.5, True]),
    (("alerts", 0, "startsAt"), [None, 123, "not a date", "2026-13-45T99:00:00Z", [], ""]),
    (("alerts", 0, "endsAt"), [123, "soon", []]),
    (("alerts", 0, "annotations"), [[], "x", 1, {"summary": 1}]),
    (("alerts", 0, "values"), ["x", [1], {"B": "high"}]),
    (("alerts", 0, "fingerprint"), [1, [], "f" * 65]),
]
GENERIC_WRONG: list[tuple[tuple, list]] = [
    (("severity",), [None, "urgent", 1, []]),
    (("alert_type",), [None, 1, "", "t" * 257]),
    (("affected_component",), [None, 1, "", []]),
    (("metrics",), [[], "x", 1, {"f1": [1]}, {"f1": {"a": 1}}]),
    (("timestamp",), [None, 1, "yesterday"]),
    (("status",), ["gone", 1]),
    (("message",), [1, [], {}]),
]


def _printable(text: str) -> str:
    return "".join(c for c in text if 32 < ord(c) < 127)[:50] or "x"  # what an HTTP header can carry


def _set(payload: dict, path: tuple, value: object) -> dict:
    bent = copy.deepcopy(payload)
    target = bent
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return bent


def _valid(rng: random.Random) -> tuple[str, dict, list[tuple[tuple, list]], tuple[str, ...]]:
    name = rng.choice(STRINGS)[:40] or "x"
    choice = rng.randrange(3)
    if choice == 0:
        return "/ingest/alertmanager", am_notification(am_alert(model=f"fuzz_{rng.randrange(10**6)}"),
                                                       group_key=name), AM_WRONG, AM_REQUIRED
    if choice == 1:
        return "/ingest/alertmanager", grafana_notification(am_alert(model=f"fuzz_{rng.randrange(10**6)}")), AM_WRONG, \
            AM_REQUIRED
    return "/ingest/alert", generic_alert(affected_component=f"fuzz_{rng.randrange(10**6)}"), GENERIC_WRONG, \
        GENERIC_REQUIRED


def probes(rng: random.Random, count: int, now: Callable[[], datetime], replay_of: Probe) -> Iterator[Probe]:
    """`count` requests that must all be refused; `replay_of`, a signed request already accepted, is replayed."""
    for i in range(count):
        path, payload, wrong, required = _valid(rng)
        body = json.dumps(payload).encode()
        kind = i % 10
        if kind == 0:
            yield Probe("truncated", path, body[: rng.randrange(1, len(body) - 1)], BEARER)
        elif kind in (1, 2, 3):
            field, values = rng.choice(wrong)
            yield Probe("wrong_type", path, json.dumps(_set(payload, field, rng.choice(values))).encode(), BEARER)
        elif kind == 4:
            yield Probe("not_json", path, rng.choice([b"", b"\xff\xfe\x00", b"[" * 5000, b"null", b"42", b'"x"',
                                                      rng.choice(STRINGS).encode("utf-8", "surrogatepass"),
                                                      b'{"alerts": ' * 300]), BEARER)
        elif kind == 5:
            yield Probe("credentials", path, body, rng.choice([
                {"Content-Type": "application/json"},
                {"Authorization": "Bearer wrong", "Content-Type": "application/json"},
                {"Authorization": "Basic dXNlcjpwYXNz", "Content-Type": "application/json"},
                {"Authorization": f"Bearer {_printable(rng.choice(STRINGS))}", "Content-Type": "application/json"},
                signed(body, now(), secret="forged"),
                signed(body, now() - timedelta(hours=1)),
                signed(body, now() + timedelta(hours=1)),
                signed(body + b" ", now()) | {TIMESTAMP_HEADER: str(int(now().timestamp()))},
                {SIGNATURE_HEADER: "sha256=" + "0" * 64, TIMESTAMP_HEADER: rng.choice(["12e3", "1.5", "0x10"]),
                 "Content-Type": "application/json"},
                {SIGNATURE_HEADER: "md5=abc", TIMESTAMP_HEADER: "-5", "Content-Type": "application/json"},
            ]))
        elif kind == 6:
            yield Probe("replay", replay_of.path, replay_of.body, replay_of.headers)
        elif kind == 7:
            yield Probe("content_type", path, body, BEARER | {"Content-Type": rng.choice(
                ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "application/xml", "", "application/jsonp"])})
        elif kind == 8:
            dropped = rng.choice(required)
            yield Probe("missing", path, json.dumps({k: v for k, v in payload.items() if k != dropped}).encode(),
                        BEARER)
        else:
            size = FIVE_MB if i % 100 == 9 else rng.randrange(1_048_577, 1_200_000)
            yield Probe("oversized", path, b'{"alerts": ["' + b"x" * size + b'"]}', BEARER)
