"""T10: bytes per stored event on DuckDB ≤ 50 — realistic enriched events (bench/datagen.py:
repeated URLs, user agents and places, random UUID event/visitor/session ids) loaded through
the real path (spool → loader), file size after CHECKPOINT divided by rows.

Run alone: `.venv/bin/python -m bench.t10_storage [--quick]`.
"""

from __future__ import annotations

import argparse

import pyarrow as pa

from bench.datagen import Spec, generate
from bench.result import Goal, Result
from bench.t3_loader import _workdir, load_spool, spool_rows
from touchline.store import open_store
from touchline.store.base import Sql

COVERS = ("T10",)


def run(quick: bool, large: bool = False) -> list[Result]:
    # the target asks for at least a million rows
    events = 1_000_000 if quick else 10_000_000 if large else 2_000_000
    rows = pa.concat_tables(generate(Spec(events=events)))
    with _workdir() as work:
        spool_rows(rows, work / "spool")
        database = work / "events.duckdb"
        load_spool(work / "spool", database)
        store = open_store(f"duckdb://{database}")
        ((stored,),) = store.query(Sql("SELECT count(*) FROM events"))
        store.execute(Sql("CHECKPOINT"))
        store.close()
        size = database.stat().st_size
    return [Result("T10 storage", "bytes/event (DuckDB)", size / stored, 50, Goal.AT_MOST)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    for result in run(quick=parser.parse_args().quick):
        print(result.line())
