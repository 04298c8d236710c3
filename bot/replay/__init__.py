"""Replay and stability: an investigation's record (what its tools read), re-run against that record
with named perturbations, and the share of runs that reach the original category and gated actions."""
