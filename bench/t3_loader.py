"""T3: the loader drains spool files into DuckDB — ≥ 400,000 events/s, and ≥ 0.6 x a bulk Arrow
INSERT of the same rows (the peer, measured in the same run). Also the spool's group commit:
single-event appends at concurrency 32 (the T1 collect path needs ≥ 9,000/s).

Run alone: `.venv/bin/python -m bench.t3_loader [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from bench.datagen import Spec, generate
from bench.result import Goal, Result
from touchline.ingest.loader import Loader
from touchline.ingest.spool import Spool
from touchline.settings import Settings
from touchline.store import open_store

COVERS = ("T3",)
BATCH_EVENTS = Settings.model_fields["loader_batch_events"].default
PAYLOAD_ROWS = 10  # rows per append: a T2-sized collect request
CONCURRENCY = 32
REPEATS = 3


def run(quick: bool, large: bool = False) -> list[Result]:
    events = 200_000 if quick else 5_000_000 if large else 1_000_000
    rows = pa.concat_tables(generate(Spec(events=events)))
    peer, loader = [], []
    with _workdir() as work:
        spool_rows(rows, work / "spool")
        # Interleaved repeats, best of each: the machine is shared, the fastest run is the one
        # least disturbed by others.
        for attempt in range(1 if quick else REPEATS):
            peer.append(_bulk_insert_seconds(rows, work / f"peer-{attempt}.duckdb"))
            fresh_copy = work / f"spool-{attempt}"
            shutil.copytree(work / "spool", fresh_copy)
            loader.append(load_spool(fresh_copy, work / f"loader-{attempt}.duckdb"))
    appends = spool_appends_per_second(1_000 if quick else 20_000)
    return [
        Result("T3 loader", "events/s into DuckDB", events / min(loader), 400_000, Goal.AT_LEAST),
        Result(
            "T3 loader / bulk Arrow INSERT", "ratio", min(peer) / min(loader), 0.6, Goal.AT_LEAST
        ),
        Result("T3 spool group commit (T1 path)", "appends/s, c=32", appends, 9_000, Goal.AT_LEAST),
    ]


def spool_rows(rows: pa.Table, spool_dir: Path) -> None:
    """Spool `rows` as the collect path would: NDJSON payloads of PAYLOAD_ROWS rows appended
    concurrently (so group commit shapes the frames)."""
    lines = ndjson_lines(rows)
    payloads = [b"".join(lines[i : i + PAYLOAD_ROWS]) for i in range(0, len(lines), PAYLOAD_ROWS)]
    spool = Spool(spool_dir, segment_bytes=Settings.model_fields["spool_segment_bytes"].default)

    async def writer(share: list[bytes]) -> None:
        for payload in share:
            await spool.append(payload)

    async def main() -> None:
        await asyncio.gather(*(writer(payloads[i::CONCURRENCY]) for i in range(CONCURRENCY)))

    asyncio.run(main())
    spool.close()


def ndjson_lines(rows: pa.Table) -> list[bytes]:
    """`rows` in the spool's row format (epoch µs timestamps, decimal strings), one per line."""
    con = duckdb.connect()
    con.register("source", rows)
    with tempfile.NamedTemporaryFile(suffix=".ndjson") as file:
        con.execute(
            "COPY (SELECT * REPLACE (epoch_us(ts) AS ts, epoch_us(received_at) AS received_at, "
            f"CAST(revenue AS VARCHAR) AS revenue) FROM source) TO '{file.name}' (FORMAT JSON)"
        )
        con.close()
        return Path(file.name).read_bytes().splitlines(keepends=True)


def load_spool(spool_dir: Path, database: Path) -> float:
    """Seconds the loader takes to drain `spool_dir` into a fresh DuckDB event store."""
    store = open_store(f"duckdb://{database}")
    store.migrate()
    loader = Loader(spool_dir=spool_dir, store=store, batch_events=BATCH_EVENTS)
    started = time.perf_counter()
    loader.drain()
    elapsed = time.perf_counter() - started
    loader.stop()
    store.close()
    return elapsed


def _bulk_insert_seconds(rows: pa.Table, database: Path) -> float:
    # The peer: the same rows, already Arrow, appended in the loader's batch size.
    store = open_store(f"duckdb://{database}")
    store.migrate()
    started = time.perf_counter()
    for start in range(0, rows.num_rows, BATCH_EVENTS):
        store.append("events", rows.slice(start, BATCH_EVENTS))
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def spool_appends_per_second(appends: int) -> float:
    """Durable single-event appends per second at concurrency 32 (one fdatasync per group)."""
    payload = ndjson_lines(pa.concat_tables(generate(Spec(events=1))))[0]
    with _workdir() as work:
        spool = Spool(work, segment_bytes=64 << 20)

        async def writer(count: int) -> None:
            for _ in range(count):
                await spool.append(payload)

        async def main() -> float:
            started = time.perf_counter()
            await asyncio.gather(*(writer(appends // CONCURRENCY) for _ in range(CONCURRENCY)))
            return time.perf_counter() - started

        elapsed = asyncio.run(main())
        spool.close()
    return (appends // CONCURRENCY) * CONCURRENCY / elapsed


@contextmanager
def _workdir() -> Iterator[Path]:
    # On the disk the data directory would use (not tmpfs): fdatasync costs what it costs.
    root = Path(__file__).parent / ".data"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="t3-", dir=root))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    for result in run(quick=parser.parse_args().quick):
        print(result.line())
