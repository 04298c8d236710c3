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

from bot.cli_records import add_record_commands
from bot.clock import SystemClock, naive_utc
from bot.errors import EXIT_CONFIG, EXIT_FAILURE, ConfigError, UserFacingError

if TYPE_CHECKING:

    from bot.config import Settings

log = logging.getLogger("agentops")



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


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from seed.demo import run_demo

    return run_demo(keep=args.keep)


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
    add_record_commands(commands)
    demo = commands.add_parser(
        "demo", help="the whole story on loopback stand-ins: alert, investigation, approvals, recovery",
        description="Seeds the drift scenario into a fresh embedded warehouse, starts stand-ins for Slack, GitHub "
                    "and the ML service, runs the real bot against them and plays the on-call engineer. Needs no "
                    "tokens. Exits 0 only if the story completed.")
    demo.add_argument("--keep", action="store_true", help="keep the demo's state and warehouse directory")
    demo.set_defaults(handler=_demo)
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
