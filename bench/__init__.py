"""Benchmarks: speed and memory are measured here, each with a seconds-long --smoke mode that CI runs."""
