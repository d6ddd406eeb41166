"""The control plane's engine and migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from touchline.control.db import Database, current_revision, downgrade, migrate, upgrade
from touchline.control.models import Base
from touchline.settings import Settings

TABLES = {
    "workspaces",
    "profiles",
    "users",
    "memberships",
    "api_keys",
    "tracking_keys",
    "customer_profiles",
    "customer_identifiers",
    "identity_merges",
    "goals",
    "stage_mappings",
    "fx_rates",
    "connections",
    "audit_events",
}


def user_tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trips(control_settings: Settings) -> None:
    database = Database.open(control_settings)
    try:
        upgrade(database.engine)
        assert user_tables(database) == TABLES
        downgrade(database.engine, "base")
        assert user_tables(database) == set()
        assert current_revision(database.engine) is None
        upgrade(database.engine)
        assert user_tables(database) == TABLES
        assert current_revision(database.engine) == "0004"
    finally:
        database.close()


def test_migrated_schema_matches_the_models(control_settings: Settings) -> None:
    database = Database.open(control_settings)
    try:
        database.migrate()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.close()


def test_migrate_is_idempotent(control_settings: Settings) -> None:
    migrate(control_settings)
    migrate(control_settings)
    database = Database.open(control_settings)
    try:
        assert current_revision(database.engine) == "0004"
    finally:
        database.close()


MIGRATE_SCRIPT = """
import sys
from pathlib import Path
from touchline.control.db import migrate
from touchline.settings import Settings
migrate(Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2], event_store_url=""))
"""


def test_concurrent_processes_migrate_one_at_a_time(control_settings: Settings) -> None:
    """The server and a CLI command may start together: both must come up on one schema."""
    argv = [str(control_settings.data_dir), control_settings.database_url]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_SCRIPT, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(process.wait(timeout=60), process.communicate()[1]) for process in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0], [err[-2000:] for _, err in outcomes]
    database = Database.open(control_settings)
    try:
        assert current_revision(database.engine) == "0004"
    finally:
        database.close()


OPEN_AND_WRITE_SCRIPT = """
import sys, time
from sqlalchemy import text
from touchline.control.db import make_engine
from touchline.settings import Settings
from pathlib import Path
settings = Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2], event_store_url="")
engine = make_engine(settings)
start = float(sys.argv[3])
while time.time() < start:
    pass
with engine.begin() as connection:
    connection.execute(text("CREATE TABLE IF NOT EXISTS t (i INTEGER)"))
    connection.execute(text("INSERT INTO t VALUES (1)"))
with engine.connect() as connection:
    print(connection.execute(text("PRAGMA journal_mode")).scalar())
"""


def test_processes_creating_one_sqlite_file_together_all_enter_wal(tmp_path: Path) -> None:
    """A fresh file starts in rollback mode; SQLite refuses the switch to WAL, without waiting,
    while another process writes. Started on the same instant, every process must get in."""
    rounds, width = 6, 3
    for round_ in range(rounds):
        data_dir = tmp_path / f"round{round_}"
        data_dir.mkdir()
        url = f"sqlite:///{data_dir}/control.sqlite3"
        start = time.time() + 1.0  # after every interpreter has imported
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AND_WRITE_SCRIPT, str(data_dir), url, str(start)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(width)
        ]
        outcomes = [(process.wait(timeout=60), *process.communicate()) for process in processes]
        assert [(code, out.strip()) for code, out, _ in outcomes] == [(0, "wal")] * width, [
            error[-2000:] for _, _, error in outcomes
        ]
        with sqlite3.connect(data_dir / "control.sqlite3") as connection:
            assert connection.execute("SELECT count(*) FROM t").fetchone() == (width,)


def test_sqlite_lives_in_the_data_dir_with_wal_and_foreign_keys(settings: Settings) -> None:
    database = Database.open(settings)
    try:
        database.migrate()
        assert (settings.data_dir / "control.sqlite3").exists()
        with database.read() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            busy_timeout = session.execute(text("PRAGMA busy_timeout")).scalar_one()
            assert busy_timeout >= 1000
    finally:
        database.close()


def test_ping_answers_and_fails_when_the_database_is_unreachable(
    database: Database, tmp_path: Path
) -> None:
    database.ping()
    unreachable = Database.open(
        Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    )
    try:
        with pytest.raises(OperationalError):
            unreachable.ping()
    finally:
        unreachable.close()


def test_a_failed_transaction_leaves_no_trace(settings: Settings) -> None:
    database = Database.open(settings)
    try:
        database.migrate()
        try:
            with database.transaction() as session:
                session.execute(
                    text(
                        "INSERT INTO workspaces (id, name, timezone, created_at) "
                        "VALUES ('w1', 'A', 'UTC', '2026-01-01 00:00:00')"
                    )
                )
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        with database.read() as session:
            assert session.execute(text("SELECT count(*) FROM workspaces")).scalar() == 0
    finally:
        database.close()
