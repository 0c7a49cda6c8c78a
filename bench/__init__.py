"""The benchmark harness: ``python -m bench`` (see the README, section Performance)."""
