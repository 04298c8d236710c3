"""Failures worded for the person who ran the command: the CLI prints them as one line, no traceback.

Kept free of imports so the CLI can catch them without loading the warehouse connector, the state
store or Slack just to start."""

# the CLI's exit codes for them: a failure met while running, and a configuration (or usage) error
EXIT_FAILURE, EXIT_CONFIG = 1, 2


class UserFacingError(Exception):
    """Its message says what went wrong and what to do."""


class ConfigError(UserFacingError):
    """A setting is missing or malformed; the message names it."""
