"""Measures of the bot itself, computed from the state store: how fast incidents are detected,
acknowledged, diagnosed, acted on and resolved; how often they are fixed or escalated; what the
investigations cost; and whether the agent's own judgement drifts (DESIGN §12)."""

# the alert type of the bot's own drift (bot/analytics/agent_health.py): left out of the measures, which are
# of the incidents the bot handles, and never auto-investigated
AGENT_HEALTH = "agent_health"
