"""Profiles by id as the processing steps read them (a Mapping over the control plane)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from touchline.control.db import Database
from touchline.control.repos import profiles
from touchline.errors import NotFound
from touchline.ingest.context import ProfileContext


class ProfileDirectory(Mapping[str, ProfileContext]):
    """Profiles by id, read from the control plane when asked, so a profile created while the
    server runs is sessionized with its own settings (the loader asks once per batch)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def __getitem__(self, profile_id: str) -> ProfileContext:
        with self.database.read() as session:
            try:
                return profiles.get(session, profile_id).context()
            except NotFound:
                raise KeyError(profile_id) from None

    def __iter__(self) -> Iterator[str]:
        with self.database.read() as session:
            return iter([record.id for record in profiles.list_all(session)])

    def __len__(self) -> int:
        with self.database.read() as session:
            return len(profiles.list_all(session))
