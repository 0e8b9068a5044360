"""Quality evals and speed benchmarks: they measure and report, never pass or fail."""
