"""T8: sessionization throughput — SQL sessions of a large batch of loaded events, in DuckDB.

The batch is what the loader hands `after_load`: freshly appended enriched events of one
profile (~30k visitors a day), sessionized by `update_sessions` (window passes, the entry and
exit joins, the insert and the cleanup). Target: at least 3,000,000 events/s.
Run alone: `.venv/bin/python -m bench.t8_sessions [--quick]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from bench.datagen import Spec, generate
from bench.result import Goal, Result
from touchline.ingest.context import ProfileContext
from touchline.processing.sessions import update_sessions
from touchline.store import open_store

TARGET = 3_000_000


def batch(events: int) -> pa.Table:
    spec = Spec(events=events, daily_visitors=(30_000,), seed=11)
    return pa.concat_tables(generate(spec))


def sessionize(rows: pa.Table, directory: Path) -> float:
    """Seconds `update_sessions` takes for `rows` just appended to a fresh DuckDB store."""
    store = open_store(f"duckdb://{directory / 'events.duckdb'}")
    try:
        store.migrate()
        store.append("events", rows)
        profiles = {"prof_bench_00": ProfileContext(profile_id="prof_bench_00")}
        started = time.perf_counter()
        update_sessions(store=store, new_rows=rows, profiles=profiles)
        return time.perf_counter() - started
    finally:
        store.close()


def run(quick: bool, large: bool = False) -> list[Result]:
    events = 500_000 if quick else (5_000_000 if large else 2_000_000)
    rows = batch(events)
    best = float("inf")
    for attempt in range(1 if quick else 2):
        with tempfile.TemporaryDirectory(prefix=f"t8-{attempt}-") as directory:
            best = min(best, sessionize(rows, Path(directory)))
    return [Result("T8 sessionization", "events/s", events / best, TARGET, Goal.AT_LEAST)]


if __name__ == "__main__":
    for result in run(quick="--quick" in sys.argv, large="--large" in sys.argv):
        print(result.line())
