"""Slack listeners: commands/, actions/, events/ and home/, each with one register(app, deps)."""
