"""The monitor: sweeps the warehouse against the rules and keeps #ml-alerts in step with what fires."""
