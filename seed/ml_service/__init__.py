"""The demo ML serving service: SPEC §4's API with blue/green slots and gated training runs."""

from seed.ml_service.server import DemoMLService

__all__ = ["DemoMLService"]
