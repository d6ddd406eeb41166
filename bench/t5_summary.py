"""T5: the 30-day traffic summary and per-day timeseries of one profile, hot, in DuckDB.

10M stored events (bench/datagen.py, cached in bench/.data/): target 100 ms; with `--large`,
100M events (ten times the profiles, same days): target 150 ms. The figure is the median of
repeated runs after a warm-up, through `analytics.traffic.run` (SQL, fetch and Python shaping).
Run alone: `.venv/bin/python -m bench.t5_summary [--quick] [--large]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta

from bench.datagen import Spec, build_store
from bench.result import Goal, Result
from touchline.analytics.traffic import TrafficQuery
from touchline.analytics.traffic import run as run_traffic
from touchline.store import open_store

PROFILES = (30_000, 12_000, 6_000, 2_000)  # daily visitors of each profile; the first is measured
TIMEZONE = "America/Mexico_City"
RUNS = 15


def spec_for(quick: bool, large: bool) -> Spec:
    if large:
        return Spec(events=100_000_000, daily_visitors=PROFILES * 10)
    return Spec(events=2_000_000 if quick else 10_000_000, daily_visitors=PROFILES)


def last_30_days(spec: Spec) -> TrafficQuery:
    """The 30 full days before the last generated day (which is cut short)."""
    last = spec.end - timedelta(days=1)
    return TrafficQuery(spec.profile_ids[0], last - timedelta(days=29), last, TIMEZONE)


def measure(spec: Spec) -> float:
    """Median milliseconds of the summary + timeseries, hot."""
    store = open_store(f"duckdb://{build_store(spec)}")
    try:
        query = last_30_days(spec)
        run_traffic(store, query)  # warm-up: the data is now in memory
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            run_traffic(store, query)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)
    finally:
        store.close()


def run(quick: bool, large: bool = False) -> list[Result]:
    spec = spec_for(quick, large)
    target = 150.0 if large else 100.0
    label = f"T5 traffic summary 30d ({spec.events / 1e6:g}M)"
    return [Result(label, "ms (median, hot)", measure(spec), target, Goal.AT_MOST)]


if __name__ == "__main__":
    for result in run(quick="--quick" in sys.argv, large="--large" in sys.argv):
        print(result.line())
