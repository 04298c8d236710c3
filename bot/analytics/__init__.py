"""Measures of the bot itself, computed from the state store: how fast incidents are detected,
acknowledged, diagnosed, acted on and resolved; how often they are fixed or escalated; what the
investigations cost; and whether the agent's own judgement drifts (DESIGN §12)."""
