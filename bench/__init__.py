"""Benchmarks: `make bench` (python -m bench). Speed targets live here, never in unit tests."""
