"""Benchmarks of the handler (`make bench`): each figure a ratio of two things measured side by
side in one run, against the emulated SageMaker. Never shipped, never asserted by tests."""
