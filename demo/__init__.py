"""The fictional demo data: one generator for tests, `make run` and benchmarks."""
