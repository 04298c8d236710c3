"""One rule set everywhere: a per-model override drives the alert, /agentops status, App Home, the tools,
the offline investigator and the trend chart alike (the real bot against the Slack stand-in)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from agents.chart import chart_data, draw
from agents.offline import investigate_model
from agents.tools import ToolContext
from agents.tools.metrics import query_model_metrics
from bot.clock import naive_utc
from tests.helpers.slack_bot import bot_running

RULES = "overrides:\n  lstm_v1:\n    accuracy_drop: {critical: 0.90}\n"


def test_a_per_model_threshold_is_the_one_every_reader_judges_by(slack, tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "rules.yaml").write_text(RULES)
    with bot_running(slack, tmp_path / ".agentops", now, agentops_rules_file=tmp_path / "rules.yaml") as bot:
        at = naive_utc(now)
        for minutes in (1, 2):  # lstm_v1's F1 at 0.89: above the default 0.88, below its own 0.90
            bot.deps.warehouse.execute(
                "INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, drift_score, "
                "latency_p95_ms, latency_p99_ms, anomaly_rate, prediction_count) VALUES (%(t)s, 'lstm_v1', "
                "'v1.2.0', 0.89, 0.08, 210, 340, 0.015, 6000)", {"t": at + timedelta(minutes=minutes)})
        fired = {a.fingerprint: a.severity for a in bot.tick(timedelta(minutes=2))}
        assert fired["accuracy_drop:lstm_v1"] == "critical"

        slack.wait_ack(slack.slash_command("status"))
        status = slack.render_blocks(slack.wait_for(lambda: slack.ephemerals())[0])
        assert "🔴 *lstm_v1* `v1.2.0` — F1 0.890" in status
        slack.wait_ack(slack.open_home())
        home = slack.render_blocks(slack.wait_for(lambda: slack.ws.views.get("U0ONCALL")))
        assert "🔴 *lstm_v1*" in home

        ctx = ToolContext(bot.deps.warehouse, bot.deps.knowledge, bot.clock, rules=bot.deps.rules)
        assert query_model_metrics(ctx, "lstm_v1").data["assessment"] == "CRITICAL"
        diagnosis = investigate_model(ctx, "lstm_v1")
        assert "within its thresholds" not in diagnosis.root_cause and "F1 fell to 0.890" in diagnosis.root_cause

        chart = chart_data(bot.deps.warehouse, bot.deps.rules, "lstm_v1", "model", "bad_deployment", bot.clock.now())
        assert chart is not None and (chart.threshold, chart.above) == (0.90, False)
        assert [v for _, v in chart.breached][-2:] == [0.89, 0.89]
        png = draw(chart)
        assert png.startswith(b"\x89PNG")
        (tmp_path / "lstm_v1_chart.png").write_bytes(png)  # kept with pytest's temp dirs, to look at
        # classifier_v2 has no override: its chart keeps the default line
        other = chart_data(bot.deps.warehouse, bot.deps.rules, "classifier_v2", "model", "bad_deployment",
                           bot.clock.now())
        assert other is not None and other.threshold == 0.88
