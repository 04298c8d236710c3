"""Acknowledge and escalation: the policy, the engine that walks its steps, and acknowledging."""
