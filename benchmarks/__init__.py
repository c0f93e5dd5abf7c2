"""Benchmarks: synthetic collections and the script that measures the archive at scale."""
