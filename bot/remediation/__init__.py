"""Remediation: approval requests from gated proposals, decisions on them, the approved actions on
the ML service, and the incident lifecycle around them (Slack thread, GitHub, warehouse)."""
