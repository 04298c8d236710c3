"""The `agentops` commands that read what the bot recorded in its state store: its measures (`stats`), its
model spend (`budget`), an incident's run trace (`export`), the audit log (`audit verify|export`), and the
replays of its investigations (`replay`, `stability`). Like every subcommand, each imports what it needs when
it runs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from bot.clock import SystemClock
from bot.errors import EXIT_CONFIG, EXIT_FAILURE, UserFacingError

if TYPE_CHECKING:
    from datetime import datetime

    from bot.config import Settings


def _replay(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from agents.knowledge import knowledge_base
    from bot.budgets.meter import cli_meter
    from bot.claude import anthropic_client
    from bot.redact import Redactor
    from bot.replay import service
    from bot.store import open_store

    kinds = service.kinds_of(args.perturb)
    store = open_store(settings.state_database_url)
    try:
        n = settings.replay_runs if args.n is None else args.n
        done = service.run(store, args.ref, kinds=kinds, n=n, seed=args.seed, knowledge=knowledge_base(settings),
                           settings=settings, client=None if args.offline else anthropic_client(settings),
                           requested_by="cli", now=SystemClock().now(), offline=args.offline,
                           meter=cli_meter(store, settings, SystemClock(), "replay"))
    finally:
        store.close()
    # a record kept before endpoints were stripped of credentials may still hold one
    redact = Redactor(settings.secret_values())
    print(redact(json.dumps(service.summary(done), indent=2) if args.json else "\n".join(service.lines(done))))
    return 0


def _stability(settings: Settings, args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from agents.knowledge import knowledge_base
    from bot.replay.heatmap import heatmap
    from bot.replay.perturb import KINDS
    from bot.replay.stability import as_json, record_scenario, scenario_stability, table
    from bot.rules import load_rules
    from seed.stability import component_of, scenario_names, seeded  # the demo world, only for this command

    n = args.n if args.n is not None else (3 if args.smoke else 20)
    if not 1 <= n <= 200:
        raise UserFacingError(f"--n must be between 1 and 200 (runs per scenario and perturbation), not {n}")
    rules = load_rules(settings.agentops_rules_file, settings.stale_after, settings.sweep_lookback)
    knowledge, now, kinds, results = knowledge_base(settings), SystemClock().now(), list(KINDS), []
    for scenario in scenario_names(args.smoke):
        with seeded(scenario, settings, now) as warehouse:
            record, original = record_scenario(warehouse, knowledge, rules, settings, now, component_of(scenario))
        # replayed once the warehouse is gone: the record is all a replay reads
        results.append(scenario_stability(scenario, record, original, kinds, n, args.seed, knowledge, settings,
                                          args.jitter_scale))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    png = out / "stability.png"
    png.write_bytes(heatmap(results, kinds, f"Offline investigator stability: {n} runs per cell, seed {args.seed}, "
                                            f"jitter {args.jitter_scale:g}× the 7-day spread"))
    if args.json:
        print(json.dumps({"runs_per_cell": n, "seed": args.seed, "jitter_scale": args.jitter_scale,
                          "heatmap": str(png), "scenarios": as_json(results)}, indent=2))
    else:
        print("\n".join(table(results, kinds)) + f"\nHeatmap: {png}")
    return 0
def _stats(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.analytics.stats import compute
    from bot.analytics.text import render
    from bot.store import open_store

    store = open_store(settings.state_database_url)
    try:
        report = compute(store, now=SystemClock().now(), days=args.days)
    finally:
        store.close()
    print(json.dumps(report.to_json(), indent=2) if args.json else render(report))
    return 0


def _budget(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.budgets.report import budget_report
    from bot.budgets.text import render
    from bot.store import open_store

    store = open_store(settings.state_database_url)
    try:
        report = budget_report(store, settings, SystemClock().now())
    finally:
        store.close()
    print(json.dumps(report.as_json(), indent=2) if args.json else render(report))
    return 0


def _days(value: str) -> int:
    """argparse's check of --days: a whole number of days the store can be asked about."""
    from bot.analytics.stats import MAX_DAYS

    if not (value.strip().isascii() and value.strip().isdigit()) or not 1 <= int(value) <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days: give a whole number from 1 to "
                                         f"{MAX_DAYS}, e.g. --days 30")
    return int(value)


def _replay_seed(value: str) -> int:
    from bot.replay.service import MAX_SEED

    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{value!r} is not a seed: give a whole number from 0 to {MAX_SEED}")
    return seed


def _export(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.redact import Redactor
    from bot.run_trace import Lookup, TraceNotFound, run_trace
    from bot.store import open_store

    by, value = next((by, getattr(args, by)) for by in ("incident", "alert", "investigation")
                     if getattr(args, by) is not None)
    store = open_store(settings.state_database_url)
    try:
        trace = run_trace(store, Lookup(by, value), SystemClock().now(), Redactor(settings.secret_values()))
    except TraceNotFound as error:
        print(f"agentops: {error}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        store.close()
    print(json.dumps(trace, indent=2, ensure_ascii=False))
    return 0


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from bot.store import open_store

    store = open_store(settings.state_database_url)
    try:
        report = store.audit.verify()
    finally:
        store.close()
    if report.broken is None:
        print(f"audit log intact: {report.entries} entries, chain head {report.head}")
        return 0
    intact = "1 entry before it is" if report.entries == 1 else f"{report.entries} entries before it are"
    print(f"audit log broken at {report.broken.describe()}\n{intact} intact (the last of them hashes to {report.head})")
    return EXIT_FAILURE


def _audit_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.audit_export import write
    from bot.redact import Redactor
    from bot.store import open_store

    store = open_store(settings.state_database_url)
    try:
        count = write(store.audit.chained(args.since), sys.stdout, args.format, Redactor(settings.secret_values()))
    finally:
        store.close()
    print(f"agentops: exported {count} audit {'entry' if count == 1 else 'entries'}", file=sys.stderr)
    return 0


def _since(value: str) -> datetime:
    """argparse's check of --since: a time, or how far back from now."""
    from bot.audit_export import BadSince, parse_since

    try:
        return parse_since(value, SystemClock().now())
    except BadSince as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_record_commands(commands: Any) -> None:
    """Their parsers, on the `agentops` subcommands (argparse's private _SubParsersAction)."""
    replay = commands.add_parser(
        "replay", help="re-run a recorded investigation with perturbations; prints its stability",
        description="Re-run an investigation from its record (no warehouse access) N times per perturbation: "
                    "text (the request paraphrased), metrics (numbers jittered within the component's 7-day noise), "
                    "order (rows reordered where the query leaves the order open). Stable = the original root-cause "
                    "category and gated actions. Stored as a replay with its runs.")
    replay.add_argument("ref", metavar="INVESTIGATION", help="an investigation id, or an alert fingerprint (its latest "
                                                             "finished investigation)")
    replay.add_argument("--n", type=int, default=None, help="runs per perturbation (default REPLAY_RUNS, 10)")
    replay.add_argument("--perturb", default="text,metrics,order", help="comma-separated: text, metrics, order")
    replay.add_argument("--seed", type=_replay_seed, default=0,
                        help="run i of each perturbation uses seed + i (default 0)")
    replay.add_argument("--json", action="store_true", help="print the replay as JSON")
    replay.add_argument("--offline", action="store_true",
                        help="replay a Claude investigation's record with the offline investigator")
    replay.set_defaults(handler=_replay)
    stability = commands.add_parser(
        "stability", help="every demo scenario x every perturbation: a stability table and a heatmap PNG",
        description="Seeds each demo scenario into a temporary embedded warehouse, records the offline "
                    "investigation of its alert, then replays it N times per perturbation (text, metrics, order). "
                    "Prints a table (and where each scenario would flip) and writes stability.png.")
    stability.add_argument("--n", type=int, default=None, help="runs per scenario and perturbation (default 20; "
                                                                "3 with --smoke)")
    stability.add_argument("--seed", type=int, default=0, help="run i uses seed + i (default 0)")
    stability.add_argument("--jitter-scale", type=float, default=1.0,
                           help="metric jitter in spreads of the 7-day baseline (default 1: the component's own noise)")
    stability.add_argument("--smoke", action="store_true", help="2 scenarios, 3 runs each: seconds")
    stability.add_argument("--out", default=".", help="where stability.png goes (default: here)")
    stability.add_argument("--json", action="store_true", help="print the table as JSON")
    stability.set_defaults(handler=_stability)
    stats = commands.add_parser(
        "stats", help="the measures of the bot: times to detect, acknowledge, diagnose, act, resolve; rates; cost",
        description="Computed from the state store over the incidents whose alert was posted in the last N days "
                    "(the README's Measures say how each is defined). Needs neither Slack nor the warehouse.")
    stats.add_argument("--days", type=_days, default=30, help="the window, in days (default 30)")
    stats.add_argument("--json", action="store_true", help="print the report as JSON")
    stats.set_defaults(handler=_stats)
    budget = commands.add_parser(
        "budget", help="model spend by hour (last 24 h), day (last 7 days) and model, against the budget caps",
        description="Every replica's spend, from the state store (BUDGET_* settings set the caps). Needs neither "
                    "Slack nor the warehouse.")
    budget.add_argument("--json", action="store_true", help="print the report as JSON")
    budget.set_defaults(handler=_budget)
    export = commands.add_parser(
        "export", help="the run trace of an incident as JSON: what the bot did and why",
        description="Everything the state store holds on one incident: its alerts, each investigation's steps "
                    "(tool calls with inputs and outputs, model calls with tokens and cost), the diagnosis, "
                    "approvals, actions and their verification, escalation, audit entries and timings. Schema: "
                    "docs/run-trace.schema.json.")
    lookup = export.add_mutually_exclusive_group(required=True)
    lookup.add_argument("--incident", metavar="ID", help="an incident id, e.g. INC-2026-1201-A1B2")
    lookup.add_argument("--alert", metavar="FINGERPRINT",
                        help="an alert's fingerprint, e.g. model_drift:classifier_v2 (its latest incident)")
    lookup.add_argument("--investigation", metavar="ID", help="an investigation id")
    export.add_argument("--format", choices=["json"], default="json", help="the output format (json)")
    export.set_defaults(handler=_export)
    audit = commands.add_parser("audit", help="the audit log: verify its hash chain, or export it")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    audit_verify = audit_commands.add_parser(
        "verify", help="walk the hash chain; exit 0 with the count when intact, 1 naming the first bad entry",
        description="Re-hashes every audit entry, oldest first, and checks each links to the one before and the "
                    "chain head to the newest. Names the first entry that was edited, deleted or reordered.")
    audit_verify.set_defaults(handler=_audit_verify)
    audit_export = audit_commands.add_parser(
        "export", help="the audit log with its hashes, to stdout, as JSON Lines or CSV",
        description="Oldest first. CSV cells that a spreadsheet would run as formulas start with a quote.")
    audit_export.add_argument("--since", metavar="ISO|7d", type=_since,
                              help="from this time (ISO date or time; UTC unless an offset is given) or this far "
                                   "back (7d, 12h); default: everything")
    audit_export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl",
                              help="jsonl (default; each line re-hashes to its entry_hash) or csv")
    audit_export.set_defaults(handler=_audit_export)
