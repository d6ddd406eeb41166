"""A customer profile as one resolving batch sees and changes it, written back in bulk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from touchline.domain.identity import PERSON_FIELDS, backfill, display_name

MAX_INVALID_PER_FIELD = 5
NAMED = "named"  # attributes flag: display_name is a real name (kept, like every filled field)
INVALID = "invalid"  # attributes: raw values that failed validation, by identity field


@dataclass(slots=True)
class CustomerState:
    """Mutable on purpose: a batch applies many events to one customer before one write."""

    id: str
    profile_id: str
    display_name: str
    created_at: datetime
    fields: dict[str, str | None]
    attributes: dict[str, Any] = field(default_factory=dict)
    merged_into_id: str | None = None
    order: int = 0  # creation order inside the batch: "oldest" among same-instant customers
    new: bool = False
    dirty: bool = False

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> CustomerState:
        return cls(
            id=row["id"],
            profile_id=row["profile_id"],
            display_name=row["display_name"],
            created_at=row["created_at"],
            fields={name: row[name] for name in PERSON_FIELDS},
            attributes=dict(row["attributes"] or {}),
            merged_into_id=row["merged_into_id"],
        )

    def age(self) -> tuple[datetime, int, str]:
        return (self.created_at, self.order, self.id)

    def snapshot(self) -> dict[str, Any]:
        """What a merge records so an unmerge can restore this customer."""
        return {**self.fields, "display_name": self.display_name, NAMED: self.named}

    @property
    def named(self) -> bool:
        return bool(self.attributes.get(NAMED))

    def fill(self, incoming: Mapping[str, str | None], full_name: str | None = None) -> None:
        """COALESCE-backfill the contact fields. The first real name replaces the anonymous
        one; a name built from first/last name grows as they fill, nothing else changes it."""
        filled = backfill(self.fields, incoming)
        if filled == self.fields and (self.named or not full_name):
            return
        if not self.named:
            name = display_name(filled, full_name)
        elif self.display_name == display_name(self.fields):
            name = display_name(filled)  # built from the name fields: follows their backfill
        else:
            name = None
        self.fields, self.dirty = filled, self.dirty or filled != self.fields
        if name and name != self.display_name:
            self.display_name, self.dirty = name, True
            self.attributes = {**self.attributes, NAMED: True}

    def keep_invalid(self, invalid: tuple[tuple[str, str], ...]) -> None:
        """Raw values that failed validation: kept to show and repair, never matched."""
        kept: dict[str, list[str]] = {
            key: list(values) if isinstance(values, list) else [str(values)]
            for key, values in self.attributes.get(INVALID, {}).items()
        }
        changed = False
        for name, raw in invalid:
            values = kept.setdefault(name, [])
            if raw not in values and len(values) < MAX_INVALID_PER_FIELD:
                values.append(raw)
                changed = True
        if changed:
            self.attributes = {**self.attributes, INVALID: kept}
            self.dirty = True

    def row(self, now: datetime) -> dict[str, Any]:
        """The `customer_profiles` columns this batch may change (an update by primary key)."""
        return {
            "id": self.id,
            "display_name": self.display_name,
            "attributes": self.attributes,
            "merged_into_id": self.merged_into_id,
            "updated_at": now,
            **self.fields,
        }

    def new_row(self, now: datetime) -> dict[str, Any]:
        """The row to insert. `merged_into_id` waits for the update that follows the inserts:
        the customer it points to may come later in the same insert."""
        row = self.row(now)
        row.update(profile_id=self.profile_id, created_at=self.created_at, merged_into_id=None)
        return row
