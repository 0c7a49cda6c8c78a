"""The benchmark harness: `python -m bench` (see bench/README or the project README, Performance)."""
