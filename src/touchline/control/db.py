"""Connections to the control plane (SQLite by default, PostgreSQL by URL) and its migrations.

Repositories take a `Session`; whoever opens the transaction owns it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, TextClause, create_engine, event, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from touchline.changes import ChangeCounter
from touchline.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Any constant works: it only has to be the same in every process migrating this database.
_PG_MIGRATION_LOCK = 7_469_201_884
# Alembic's `context`/`op` proxies are process-global: one migration at a time per process.
_alembic_lock = threading.Lock()
# Execution option naming the SQLite BEGIN flavour (see `_sqlite_begin`).
_BEGIN_OPTION = "touchline_sqlite_begin"
_WROTE, _WATCHED = "touchline_wrote", "touchline_watched"  # Session.info keys


@dataclass(frozen=True, slots=True)
class Database:
    """An engine and its session factories. Open once per process; `close()` at shutdown."""

    engine: Engine
    writer: sessionmaker[Session]
    reader: sessionmaker[Session]
    # Bumped after each committed transaction that wrote something (analytics/cache.py).
    changes: ChangeCounter = field(default_factory=ChangeCounter)

    @classmethod
    def open(cls, settings: Settings) -> Database:
        engine = make_engine(settings)
        reading = engine.execution_options(**{_BEGIN_OPTION: "BEGIN"})
        return cls(
            engine=engine,
            writer=sessionmaker(engine, expire_on_commit=False),
            reader=sessionmaker(reading, expire_on_commit=False),
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction, committed on success, rolled back on error."""
        with self.writer() as session:
            with session.begin():
                _watch_writes(session)
                yield session
            if session.info.pop(_WROTE, False):
                self.changes.bump()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction; on SQLite it does not take the write lock."""
        with self.reader() as session, session.begin():
            yield session

    def migrate(self) -> None:
        upgrade(self.engine)

    def ping(self) -> None:
        """Raises when the control plane cannot answer (for readiness checks)."""
        with self.read() as session:
            session.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()


def _watch_writes(session: Session) -> None:
    """Mark `session` once it flushes changes to rows reports may read, or runs a statement
    that is not a SELECT. A transaction that only read, or only touched rows whose model says
    `affects_answers = False` (API keys), leaves cached answers valid."""

    def flushed(session: Session, _context: Any) -> None:
        touched = (*session.new, *session.dirty, *session.deleted)
        if any(getattr(row, "affects_answers", True) for row in touched):
            session.info[_WROTE] = True

    def executed(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete or _raw_write(state.statement):
            state.session.info[_WROTE] = True

    if not session.info.get(_WATCHED):
        event.listen(session, "after_flush", flushed)
        event.listen(session, "do_orm_execute", executed)
        session.info[_WATCHED] = True


def _raw_write(statement: Any) -> bool:
    if not isinstance(statement, TextClause):
        return False
    return not statement.text.lstrip().upper().startswith(("SELECT", "WITH", "PRAGMA"))


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    settings.ensure_data_dir()
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions skip DDL and reads).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _enter_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _enter_wal(cursor: Any) -> None:
    """Switch to WAL, waiting out other processes creating the same file.

    A new file starts in rollback mode, and switching it needs an exclusive lock. SQLite
    refuses that switch at once with "database is locked", without the busy handler, while
    another connection holds a write lock, so processes starting together (server and CLI)
    would fail. Once the file is in WAL (persistent), the pragma takes no lock. Where WAL is
    impossible (an in-memory database, a file system without shared memory) SQLite answers
    the mode it kept, without an error: that is accepted as it always was."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so a read-then-write transaction waits for a
    # concurrent writer instead of failing with SQLITE_BUSY_SNAPSHOT; readers use plain BEGIN.
    begin = connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN IMMEDIATE")
    connection.exec_driver_sql(begin)


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Alembic upgrade, serialized across processes (PostgreSQL advisory lock; SQLite's
    write lock via BEGIN IMMEDIATE). Idempotent at head."""
    with _alembic_lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _alembic_lock, engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(settings: Settings) -> None:
    """Bring the control plane of `settings` to the newest schema."""
    engine = make_engine(settings)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """For one-shot commands (the CLI): migrate, then one transaction, then close."""
    database = Database.open(settings)
    try:
        database.migrate()
        with database.transaction() as session:
            yield session
    finally:
        database.close()
