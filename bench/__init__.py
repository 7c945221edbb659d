"""Benchmarks: printed numbers and ratios against baselines measured in the same run."""
