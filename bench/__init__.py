"""Benchmarks (see docs/benchmarks.md). Not imported by the application."""
