"""Garbage-collector settings for a process that builds large short-lived answers.

A 10,000-order answer allocates hundreds of thousands of objects; with Python's
default thresholds the collector runs over and over during one request and
spends as long as the request itself scanning long-lived objects. Measured on
the demo: a 1,000-customer answer 250-300 ms with the defaults, 150-180 ms with
a first-generation threshold of 10,000 and start-up objects frozen; the agent
view 300 -> 400 req/s on one core. The older generations keep Python's ratios:
with them raised too (20, 100) throughput was no better and RSS grew without
bound in a soak, cyclic garbage waiting too long for a full collection.

The default first-generation threshold is 50,000 (``C360_GC_THRESHOLD``). The
gateway makes almost no cyclic garbage: under 50-customer lists every young
collection found nothing to free ("0 unreachable", gc.DEBUG_STATS), yet each
walked the 10,000-42,000 objects the requests in flight hold, for 5-30 ms.
Deaths of long-lived objects (replaced cache entries) count against new
allocations, so at 10,000 those collections came 5-8 times per 60 lists:
1.5-2.6 ms of CPU per list and pauses of 20-39 ms (gc.callbacks, in process);
at 50,000 there were none in 360 lists. Cyclic garbage (an exception's
traceback) still counts up to the threshold, so at most about 50,000 objects
wait for a collection. The 7.5 MB-answer attack's probe p99 was 51.0 ms at
10,000 and 37.9 ms at 50,000 (``python -m bench.attacks --attack "7.5 MB"
--repeat 2``, one run each).
"""

from __future__ import annotations

import gc


def tune_garbage_collector(first_generation_threshold: int) -> None:
    """Freeze start-up objects and raise the collection thresholds; 0 keeps Python's defaults."""
    if first_generation_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(first_generation_threshold, 10, 10)
