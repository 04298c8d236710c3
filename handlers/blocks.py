"""Pure Block Kit builders: data in, (text fallback, blocks) out. No I/O, tested without mocks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agents.prompt import breach_start
from bot.durations import in_words
from bot.fleet import ComponentHealth
from bot.store.records import StoredAlert
from handlers.mrkdwn import ago, code, esc, when

Blocks = list[dict]
STATUS_EMOJI = {"healthy": "🟢", "warning": "🟡", "critical": "🔴", "unknown": "⚪"}
SEVERITY_EMOJI = {"critical": "🔴", "warning": "🟡", "info": "🔵"}
SECTION_LIMIT = 3000

USAGE = [
    ("help", "this message"),
    ("status", "model and pipeline health right now"),
    ("investigate <what you see>", "start an investigation, e.g. `investigate F1 dropped on classifier_v2`"),
    ("alerts [page]", "firing alerts, 20 to a page"),
    ("silence <fingerprint> <duration> [reason]",
     "mute an alert for 1 minute to 30 days, e.g. `silence model_drift:classifier_v2 4h` (or `4 hours`, `1h30m`)"),
    ("silences", "the silences in force"),
    ("unsilence <fingerprint>", "lift a silence before it ends"),
    ("ack <fingerprint>", "acknowledge an alert: you are on it, its escalation stops"),
    ("replay <fingerprint>", "re-run the alert's investigation from its record, perturbed: how stable is it?"),
    ("stats [days]", "the bot's own figures for the last 30 (or N) days, with charts, posted in this channel"),
    ("budget", "model spend by hour, day and model, against the budget caps"),
]


def section(text: str) -> dict:
    # Slack rejects a section over 3000 characters; cut with a visible marker instead
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 2] + " …"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {"type": "button", "text": {"type": "plain_text", "text": label[:75]}, "action_id": action_id,
               "value": value}
    if style:
        element["style"] = style
    return element


def feedback(action_id: str) -> dict:
    """👍/👎 under a message (Slack's feedback_buttons, which live in a context_actions block)."""
    def choice(emoji: str, value: str, label: str) -> dict:
        return {"text": {"type": "plain_text", "text": emoji}, "value": value, "accessibility_label": label}

    return {"type": "context_actions", "elements": [{
        "type": "feedback_buttons", "action_id": action_id,
        "positive_button": choice("👍", "good", "This was helpful"),
        "negative_button": choice("👎", "bad", "This was not helpful")}]}


def usage(problem: str | None = None) -> tuple[str, Blocks]:
    lines = "\n".join(f"• `/agentops {esc(name)}` — {esc(what)}" for name, what in USAGE)
    intro = f"{problem}\n\n" if problem else ""
    text = intro + esc("Usage: /agentops help | status | investigate <text> | alerts | "
                       "silence <fingerprint> <duration> [reason] | silences | unsilence <fingerprint> | "
                       "ack <fingerprint> | replay <fingerprint> | stats [days] | budget")
    return text, [section(f"{intro}*AgentOps commands*\n{lines}"),
                  context("Mention @AgentOps with a question to search the runbooks and past incidents.")]


def component_line(c: ComponentHealth) -> str:
    v = c.values
    if c.kind == "model":
        detail = (f"F1 {v['f1_score']:.3f} · drift {v['drift_score']:.2f} · p99 {v['latency_p99_ms']:.0f} ms · "
                  f"anomaly {v['anomaly_rate']:.1%}")
        name = f"*{esc(c.name)}* {code(v.get('model_version') or '?', 50)}"
    else:
        detail = (f"null rate {v['null_rate']:.1%} · {v['records_processed']:,} records · "
                  f"{v['schema_violations']} schema violations · status {esc(v['status'])}")
        name = f"*{esc(c.name)}*"
    return f"{STATUS_EMOJI.get(c.status, '⚪')} {name} — {detail}"


def health_sections(components: list[ComponentHealth] | None, warehouse_error: str | None,
                    read_at: datetime | None = None) -> Blocks:
    """`read_at`: when `components` were read, shown with them while the warehouse cannot be read."""
    if components is None:
        return [section(f"⚠️ *Warehouse unavailable* — {esc(warehouse_error)}\nShowing what the bot remembers only.")]
    if warehouse_error:
        last = f"from {when(read_at)} ({ago(read_at)})" if read_at else "from earlier"
        return [section(f"⚠️ *Warehouse unavailable* — {esc(warehouse_error)}\nShowing the last reading, {last}."),
                *health_sections(components, None)]
    if not components:
        return [section("No metrics in the warehouse yet. Seed a demo with `agentops seed --scenario drift`.")]
    models = [component_line(c) for c in components if c.kind == "model"]
    pipelines = [component_line(c) for c in components if c.kind == "pipeline"]
    blocks = [section("*Model health*\n" + "\n".join(models))] if models else []
    if pipelines:
        blocks.append(section("*Data quality*\n" + "\n".join(pipelines)))
    return blocks


_SINCE = "; breaching since "


def what(alert: StoredAlert) -> str:
    """The alert's words without the component it is about (the post names it once) or its clock time."""
    message = alert.message
    cut = message.rfind(_SINCE)
    message = message[:cut] if cut >= 0 else message
    return message.removeprefix(f"{alert.component}: ")


def breaching(alert: StoredAlert) -> str:
    """mrkdwn: since when the rule has held, and how long ago that is, for each reader."""
    start = breach_start(alert.message, alert.first_seen_at) or alert.first_seen_at
    return f"breaching since {when(start)} ({ago(start)})"


def alert_line(alert: StoredAlert, now: datetime) -> str:
    # the breach's start, not when the bot noticed it: "firing 0 min" for a 70-minute breach misleads
    return (f"{SEVERITY_EMOJI.get(alert.severity, '⚪')} *{alert.severity}* {code(alert.fingerprint)} — "
            f"{esc(alert.component)}: {esc(what(alert))} _({breaching(alert)})_")


def status(components: list[ComponentHealth] | None, warehouse_error: str | None, alerts: list[StoredAlert] | None,
           now: datetime, read_at: datetime | None = None) -> tuple[str, Blocks]:
    """`alerts` None: the state store could not be read; `read_at`: when `components` were read."""
    worst = max((c.status for c in components or []), default="unknown",
                key=["unknown", "healthy", "warning", "critical"].index)
    firing = "firing alerts unknown" if alerts is None else f"{len(alerts)} firing alert(s)"
    text = f"AgentOps status: {worst}; {firing}"
    if warehouse_error and components is not None and read_at:
        text += f" (warehouse unavailable; last reading {in_words(max(now - read_at, timedelta(0)))} old)"
    blocks = [header(f"{STATUS_EMOJI[worst]} AgentOps status"),
              *health_sections(components, warehouse_error, read_at)]
    if alerts is None:
        blocks.append(section("⚠️ *Firing alerts:* unknown — the state store is unreachable"))
    else:
        blocks.append(section(f"*Firing alerts:* {len(alerts)}" if alerts else "*Firing alerts:* none"))
    blocks.append(context(f"As of {when(now)} · `/agentops alerts` lists them"))
    return text, blocks


def progress_lines(steps: list[str]) -> str:
    """Steps done (✓) and the one in progress (⏳), each escaped: a step may quote an upstream answer."""
    done = [f"✓ {esc(s)}" for s in steps[:-1]]
    return "\n".join([*done, f"⏳ {esc(steps[-1])}…" if steps else "⏳ starting…"])


def notice(text: str) -> tuple[str, Blocks]:
    """A one-section message; the fallback text is the same words."""
    return text, [section(text)]


def to_mrkdwn(markdown: str) -> str:
    """GitHub markdown (runbooks, or a model's answer composed from them) to Slack mrkdwn: escaped
    first, then bold and headings. A link is shown as its words and its real address, never as a
    label over a hidden URL."""
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", esc(markdown))
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: m.group(1) if m.group(2).endswith(".md")
                  else f"{m.group(1)} ({m.group(2)})", text)
    return re.sub(r"^#{1,6}\s+(.*)$", r"*\1*", text, flags=re.M)


def first_line(markdown: str, limit: int = 150) -> str:
    """The answer's first real line, as plain words for a notification (headings and bold marks dropped)."""
    for line in markdown.splitlines():
        line = re.sub(r"^#{1,6}\s+|^>\s*|\*\*|__", "", line.strip()).strip()
        if line and not re.match(r"^From .*:$", line):  # a quoted passage's "From <source>:" header
            return line if len(line) <= limit else line[: limit - 2].rsplit(" ", 1)[0] + " …"
    return "(no answer)"


def answer(question: str, body: str, citations: list[str], feedback_id: str = "") -> tuple[str, Blocks]:
    blocks = [section(to_mrkdwn(body))]
    if citations:
        blocks.append(context("Sources: " + " · ".join(code(c) for c in citations)))
    if feedback_id:
        blocks.append(feedback(feedback_id))
    # the notification says what the answer is, not what was asked (the asker knows that)
    return esc(first_line(body)), blocks
