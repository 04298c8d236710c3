"""A local Slack workspace stand-in: Web API over HTTP and socket mode over a real WebSocket.

Tests and `agentops demo` run the real Bolt app and slack-sdk clients against it on loopback.
"""

from seed.slack.server import SlackStandIn

__all__ = ["SlackStandIn"]
