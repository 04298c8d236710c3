"""Environments, action policies and the permission levels a track record earns (SPEC §8)."""
