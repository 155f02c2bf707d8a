"""Benchmarks: commands that print figures. Never part of the test suite."""
