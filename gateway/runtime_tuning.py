"""Garbage-collector settings for a process that builds large short-lived answers.

A 10,000-order answer allocates hundreds of thousands of objects; with Python's
default thresholds the collector runs over and over during one request and
spends as long as the request itself scanning long-lived objects (measured: a
1,000-customer answer took 250-300 ms of CPU with the defaults, 140-170 ms with
these settings, 126-143 ms with the collector off). Cycles are still collected,
only less often, and everything alive at start-up is frozen out of the scans.
"""

from __future__ import annotations

import gc


def tune_garbage_collector(first_generation_threshold: int) -> None:
    """Freeze start-up objects and raise the collection thresholds; 0 keeps Python's defaults."""
    if first_generation_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(first_generation_threshold, 20, 100)
