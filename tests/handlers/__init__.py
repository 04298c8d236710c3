"""Slack edge tests: the announcer and the edge against the Slack stand-in."""
