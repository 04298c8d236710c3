"""A GitHub REST API stand-in for incident issues (tests and `agentops demo`)."""

from seed.github.server import GitHubStandIn

__all__ = ["GitHubStandIn"]
