"""Benchmark harness: public memory benchmarks, run side by side with baselines and peers."""
