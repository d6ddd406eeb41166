"""T11: identity graph writes on SQLite — identifiers written per second by batches of identify
events, as the after-load identity step resolves them.

Each batch of 10,000 events mixes new visitors identifying with an email (70 %), with an email
and a phone (15 %), known customers on a new device (10 %) and email + phone pairs joining two
existing customers (5 %, each a merge). Figures (target: at least 30,000 identifier writes/s):
- "resolve": normalized identifiers → `resolve_batch` → commit (the control-plane writes);
- "link_identities": the whole step from loaded Arrow rows — identity JSON, normalization,
  resolve, commit, and the mirror into DuckDB's `identity_map`.
Run alone: `.venv/bin/python -m bench.t11_identity [--quick]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from bench.result import Goal, Result
from touchline.control.db import Database
from touchline.control.repos import profiles, workspaces
from touchline.domain.identity import Identifiers, identifiers_of
from touchline.identity.graph import next_identifier_version, resolve_batch
from touchline.ingest.context import ProfileContext
from touchline.processing.identity import link_identities
from touchline.settings import Settings
from touchline.store import open_store

TARGET = 30_000
AT_LEAST = Goal.AT_LEAST
BATCH = 10_000
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def people(batch: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """(anonymous id, identity object) of batch `batch`'s identify events."""
    for i in range(BATCH):
        anon = f"anon-{batch}-{i}"
        slot = i % 20
        if batch == 0 or slot < 14:
            yield anon, {"email": f"user{batch}.{i}@mail{i % 97}.example.com"}
        elif slot < 17:
            yield anon, {"email": f"user{batch}.{i}@shop.example.com", "phone": phone(batch, i)}
        elif slot < 19:  # a known customer (slot 7 or 8 of last batch) on a second device
            yield anon, {"email": f"user{batch - 1}.{i - 10}@mail{(i - 10) % 97}.example.com"}
        else:  # last batch's email customer (slot 0) meets its phone one (slot 15): a merge
            email = f"user{batch - 1}.{i - 19}@mail{(i - 19) % 97}.example.com"
            yield anon, {"email": email, "phone": phone(batch - 1, i - 4)}


def phone(batch: int, i: int) -> str:
    return f"+1 415 {200 + batch % 700:03d} {i % 10_000:04d}"


def open_control_plane(directory: Path) -> tuple[Database, ProfileContext]:
    settings = Settings(data_dir=directory, database_url="", event_store_url="")
    settings.ensure_data_dir()
    database = Database.open(settings)
    database.migrate()
    with database.transaction() as session:
        workspace = workspaces.create(session, name="Bench", actor="bench")
        record = profiles.create(session, workspace_id=workspace.id, name="Shop", actor="bench")
    return database, record.context()


def resolve_rate(batches: int, directory: Path) -> float:
    """Identifier writes/s of `resolve_batch` + commit over pre-normalized batches."""
    database, profile = open_control_plane(directory)
    prepared: list[list[Identifiers]] = [
        [identifiers_of(identity, anonymous_id=anon) for anon, identity in people(b)]
        for b in range(batches)
    ]
    written, elapsed = 0, 0.0
    try:
        for batch in prepared:
            started = time.perf_counter()
            with database.transaction() as session:
                version = next_identifier_version(session, time.time_ns() // 1000)
                resolution = resolve_batch(
                    session, profile_id=profile.profile_id, batch=batch, now=T0, version=version
                )
            elapsed += time.perf_counter() - started
            written += resolution.written
    finally:
        database.close()
    return written / elapsed


def loaded_rows(batch: int, profile_id: str) -> pa.Table:
    """What the loader hands `after_load`, reduced to the columns the identity step reads."""
    events = list(people(batch))
    start = T0 + timedelta(hours=batch)
    return pa.table(
        {
            "profile_id": [profile_id] * len(events),
            "identity": [orjson.dumps(identity).decode() for _, identity in events],
            "anonymous_id": [anon for anon, _ in events],
            "user_id": [""] * len(events),
            "origin": ["tracker"] * len(events),
            "ts": [start + timedelta(milliseconds=i) for i in range(len(events))],
        }
    )


def link_rate(batches: int, directory: Path) -> float:
    """Identifier writes/s of the whole identity step, the mirror into DuckDB included."""
    database, profile = open_control_plane(directory)
    store = open_store(f"duckdb://{directory / 'events.duckdb'}")
    store.migrate()
    tables = [loaded_rows(b, profile.profile_id) for b in range(batches)]
    written, elapsed = 0, 0.0
    try:
        for rows in tables:
            started = time.perf_counter()
            written += link_identities(
                database=database,
                store=store,
                new_rows=rows,
                profiles={profile.profile_id: profile},
            )
            elapsed += time.perf_counter() - started
    finally:
        store.close()
        database.close()
    return written / elapsed


def run(quick: bool, large: bool = False) -> list[Result]:  # noqa: ARG001 - one size
    """Best of two runs each (one with --quick): the machine is shared, the fastest run is the
    least disturbed. Every run starts from an empty control plane."""
    resolve_batches, link_batches, runs = (3, 2, 1) if quick else (8, 3, 2)
    resolved = linked = 0.0
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="t11-resolve-") as directory:
            resolved = max(resolved, resolve_rate(resolve_batches, Path(directory)))
        with tempfile.TemporaryDirectory(prefix="t11-link-") as directory:
            linked = max(linked, link_rate(link_batches, Path(directory)))
    return [
        Result("T11 identity resolve (SQLite)", "identifier writes/s", resolved, TARGET, AT_LEAST),
        Result("T11 identity step, end to end", "identifier writes/s", linked, TARGET, AT_LEAST),
    ]


if __name__ == "__main__":
    for result in run(quick="--quick" in sys.argv, large="--large" in sys.argv):
        print(result.line())
