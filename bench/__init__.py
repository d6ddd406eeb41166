"""Benchmarks with their targets (`make bench`); see bench/README.md."""
