"""The `agentops` command line (also `python -m bot`).

Every failure a user can cause or meet — bad config, unreachable warehouse or state store —
ends as one line on stderr and a non-zero exit, never a traceback. Each subcommand imports what
it needs when it runs (the warehouse connector, the state store, Slack, the Anthropic SDK, the
demo world are heavy), so `agentops --help` and `agentops ask` start in a fraction of a second.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from bot.clock import SystemClock, naive_utc
from bot.errors import ConfigError, UserFacingError

if TYPE_CHECKING:
    from datetime import datetime

    from bot.config import Settings

log = logging.getLogger("agentops")

EXIT_FAILURE, EXIT_CONFIG = 1, 2


class CommandFailed(UserFacingError):
    """A command's failure, worded for the person who ran it."""


def _scenario(name: str) -> str:
    """argparse's check of --scenario, importing the demo world only when `agentops seed` is parsed."""
    from seed.scenarios import SCENARIOS

    if name not in SCENARIOS:
        stories = "; ".join(f"{s.name}: {s.story}" for s in SCENARIOS.values())
        raise argparse.ArgumentTypeError(f"invalid choice: {name!r} (choose from {stories})")
    return name


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from bot.warehouse import open_warehouse
    from seed.loader import SeedError, seed  # the demo world, loaded only by the commands that use it

    if not settings.embedded_warehouse and not args.remote:
        where = settings.snowflake_account or settings.snowflake_host
        raise CommandFailed(f"refusing to seed demo data into a configured warehouse ({where}); "
                            "add --remote if that is really what you want")
    with open_warehouse(settings) as warehouse:
        try:
            summary = seed(warehouse, args.scenario, naive_utc(SystemClock().now()), reset=args.reset)
        except SeedError as error:
            raise CommandFailed(str(error)) from None
    print("\n".join(summary.lines()))
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runtime import run

    return run(settings)


def _check(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.monitor.sweep import sweep
    from bot.rules import load_rules
    from bot.warehouse import open_warehouse

    rules = load_rules(settings.agentops_rules_file, settings.stale_after, settings.sweep_lookback)
    with open_warehouse(settings) as warehouse:
        result = sweep(warehouse, rules, SystemClock().now())
    if args.json:
        print(json.dumps([alert.to_json() for alert in result.alerts], indent=2))
    elif not result.alerts:
        print(f"nothing firing ({len(result.components)} models and pipelines checked)")
    else:
        for alert in result.alerts:
            print(f"{alert.severity.upper():8s} {alert.fingerprint:40s} {alert.message} "
                  f"(since {alert.started_at:%H:%M} UTC; see {alert.runbook})")
    return 0


def _investigate(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from agents.investigator import investigate
    from agents.knowledge import knowledge_base
    from agents.prompt import brief
    from agents.subject import known_components, resolve
    from agents.tools import ToolContext
    from bot.budgets.meter import metered
    from bot.claude import anthropic_client
    from bot.ml_service import MLService
    from bot.postmortems.knowledge import published_in
    from bot.redact import Redactor
    from bot.rules import load_rules
    from bot.warehouse import open_warehouse

    client = None if args.offline else anthropic_client(settings)
    rules = load_rules(settings.agentops_rules_file, settings.stale_after, settings.sweep_lookback)
    with open_warehouse(settings) as warehouse:
        subject = resolve(args.text, known_components(warehouse))
        ml_service = MLService(settings.ml_service_url, settings.ml_service_timeout_sec,
                               redact=Redactor(settings.secret_values()))
        knowledge = knowledge_base(settings)
        with published_in(knowledge, settings) as note, metered(settings, SystemClock(), "investigate",
                                                                  client is not None) as meter:
            if note:
                print(f"agentops: {note}", file=sys.stderr)
            ctx = ToolContext(warehouse, knowledge, SystemClock(), ml_service=ml_service, rules=rules)
            if meter is not None:  # past a cap the first call is not made: the offline investigator answers, saying why
                ctx.over_budget, ctx.on_spend = meter.over_budget, meter.spent
            briefing = brief(warehouse, subject, rules, ctx.clock.now()) if client else None
            outcome = investigate(ctx, subject, None, client, settings, briefing)
    diagnosis = outcome.diagnosis
    if outcome.note:
        print(f"agentops: {outcome.note}", file=sys.stderr)
    if args.json:
        print(json.dumps(diagnosis.model_dump(), indent=2))
        return 0
    print(f"{subject.component}: {diagnosis.root_cause_category} (confidence {diagnosis.confidence:.0%})")
    print(diagnosis.root_cause)
    print("\nEvidence:\n" + "\n".join(f"  - {line}" for line in diagnosis.evidence))
    print("\nProposed actions:")
    for proposal in diagnosis.recommended_actions:
        gate = " [needs approval]" if proposal.requires_approval else ""
        when = f" ({proposal.condition})" if proposal.condition else ""
        print(f"  {proposal.priority}. {proposal.action} on {proposal.target}{gate}{when}")
    print(f"\nRunbook: {diagnosis.runbook_reference}")
    if diagnosis.similar_incidents:
        print("Similar incidents: " + "; ".join(diagnosis.similar_incidents))
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from agents.answer import answer as compose
    from agents.knowledge import knowledge_base
    from bot.budgets.meter import metered
    from bot.claude import anthropic_client
    from bot.postmortems.knowledge import published_in

    knowledge, client = knowledge_base(settings), anthropic_client(settings)
    with published_in(knowledge, settings) as note, \
            metered(settings, SystemClock(), "ask", client is not None) as meter:
        if note:
            print(f"agentops: {note}", file=sys.stderr)
        answer, passages = compose(knowledge, args.question, client, settings.anthropic_model, meter)
        if meter is not None and meter.refused:
            print(f"agentops: {meter.refused}; the passages are quoted", file=sys.stderr)
    if args.json:
        print(json.dumps({"answer": answer, "citations": [
            {"source": p.source, "heading": p.heading, "score": p.score} for p in passages]}, indent=2))
    else:
        print(answer)
        if passages:
            print("\nSources: " + " · ".join(p.citation for p in passages))
    return 0


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


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from seed.demo import run_demo

    return run_demo(keep=args.keep)


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


def _warehouse_serve(settings: Settings, args: argparse.Namespace) -> int:
    import signal
    import threading

    from bot.warehouse.embedded import EmbeddedWarehouseServer

    server = EmbeddedWarehouseServer(settings.agentops_data_dir, settings.snowflake_database,
                                     settings.snowflake_schema, host=args.host, port=args.port).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"embedded warehouse in {settings.agentops_data_dir} serving on {server.host}:{server.port}\n"
          f"point other agentops processes at it with: SNOWFLAKE_ACCOUNT=fakesnow SNOWFLAKE_USER=agentops "
          f"SNOWFLAKE_PASSWORD=embedded SNOWFLAKE_HOST={server.host} SNOWFLAKE_PORT={server.port} "
          f"SNOWFLAKE_PROTOCOL=http", flush=True)
    stop.wait()
    server.stop()
    return 0


def _version() -> str:
    try:
        return version("agentops")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentops",
        description="AgentOps: Slack ChatOps for ML operations. Settings come from the environment "
                    "and .env (see .env.example).",
    )
    parser.add_argument("--version", action="version", version=f"agentops {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    seed = commands.add_parser("seed", help="load a demo scenario into the warehouse",
                               description="Load 7 days of metrics plus a scenario's event in the last 2 hours.")
    seed.add_argument("--scenario", required=True, type=_scenario,
                      help="a demo scenario, e.g. drift or healthy (a wrong name lists them all, with their stories)")
    seed.add_argument("--reset", action="store_true",
                      help="replace the demo models' and pipelines' rows (restores the demo state)")
    seed.add_argument("--remote", action="store_true",
                      help="allow seeding a configured (non-embedded) warehouse")
    seed.set_defaults(handler=_seed)
    check = commands.add_parser("check", help="one sweep of the warehouse against the rules; prints what fires",
                                description="Evaluate every model and pipeline once. Posts nothing; exits 0 "
                                            "whether or not anything fires.")
    check.add_argument("--json", action="store_true", help="print a JSON list of alerts")
    check.set_defaults(handler=_check)
    investigate = commands.add_parser(
        "investigate", help="investigate a model or pipeline and print the diagnosis",
        description="Investigate outside Slack. TEXT names a model or pipeline and/or the symptom in your own "
                    "words, e.g. \"F1 dropped on classifier_v2\", or an alert fingerprint.")
    investigate.add_argument("text")
    investigate.add_argument("--json", action="store_true", help="print the Diagnosis as JSON")
    investigate.add_argument("--offline", action="store_true",
                             help="use the offline runbook investigator even when ANTHROPIC_API_KEY is set")
    investigate.set_defaults(handler=_investigate)
    ask = commands.add_parser("ask", help="answer a question from the runbooks and past incidents, with sources")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print {answer, citations[{source, heading, score}]}")
    ask.set_defaults(handler=_ask)
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
    demo = commands.add_parser(
        "demo", help="the whole story on loopback stand-ins: alert, investigation, approvals, recovery",
        description="Seeds the drift scenario into a fresh embedded warehouse, starts stand-ins for Slack, GitHub "
                    "and the ML service, runs the real bot against them and plays the on-call engineer. Needs no "
                    "tokens. Exits 0 only if the story completed.")
    demo.add_argument("--keep", action="store_true", help="keep the demo's state and warehouse directory")
    demo.set_defaults(handler=_demo)
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
    run = commands.add_parser("run", help="run the bot (Slack socket mode + monitor)")
    run.set_defaults(handler=_run)
    warehouse = commands.add_parser("warehouse", help="the embedded warehouse")
    warehouse_commands = warehouse.add_subparsers(dest="warehouse_command", metavar="COMMAND", required=True)
    serve = warehouse_commands.add_parser(
        "serve", help="serve the embedded warehouse to several agentops processes (DuckDB allows one owner)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.set_defaults(handler=_warehouse_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    handler: Callable[[Settings, argparse.Namespace], int] = args.handler
    from bot.config import load_settings  # pydantic: not needed for --help
    from bot.logs import configure_logging

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"agentops: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level, settings.log_json, settings.secret_values())
    try:
        return handler(settings, args)
    except ConfigError as error:
        print(f"agentops: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except UserFacingError as error:
        print(f"agentops: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `agentops check --json | head`: the reader left; not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (keeps the interpreter's exit flush quiet)
        return 0
