"""Domain tests: the services under bot/ against the in-memory announcer (no Slack)."""
