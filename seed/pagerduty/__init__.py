"""A PagerDuty Events API v2 stand-in on loopback."""

from seed.pagerduty.server import PagerDutyStandIn

__all__ = ["PagerDutyStandIn"]
