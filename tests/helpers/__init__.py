"""Helpers shared by the tests (and the import contracts CI checks)."""
