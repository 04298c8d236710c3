"""A loopback receiver for AgentOps' escalation webhook."""

from seed.webhook.receiver import WebhookReceiver

__all__ = ["WebhookReceiver"]
