"""Benchmark: finding the Kansas county of a position (``services.regions.county_at``).

An outreach worker's shared location is turned into a county on this machine, from the shipped
county shapes, never by a map service. This times that lookup for random points over Kansas and
just around it (about one in six falls outside every county), after one warm-up call that loads
the shapes, and prints the load time, the mean and the 99th percentile per lookup.

    .venv/bin/python bench/county_lookup.py [--points 20000] [--seed 16]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services import regions  # noqa: E402

# Kansas lies within about 37.0..40.0 N and 102.05..94.59 W; the box is a little wider.
SOUTH, NORTH, WEST, EAST = 36.8, 40.2, -102.3, -94.4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    points = [(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)) for _ in range(args.points)]

    started = time.perf_counter()
    regions.county_at(-99.327, 38.879)  # loads (and, where it applies, indexes) the shapes once
    load_ms = (time.perf_counter() - started) * 1000

    times: list[float] = []
    found = 0
    for lon, lat in points:
        t0 = time.perf_counter()
        fips = regions.county_at(lon, lat)
        times.append(time.perf_counter() - t0)
        found += fips is not None
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"county_at: {len(points)} points, {found} inside a Kansas county")
    print(f"  first call (loads the shapes): {load_ms:.1f} ms")
    print(f"  per lookup: mean {statistics.fmean(times) * 1e6:.1f} us, p99 {p99 * 1e6:.1f} us, "
          f"total {sum(times):.3f} s")


if __name__ == "__main__":
    main()
