"""The spool-row decoder: NDJSON enriched events → Arrow with the events schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from tests.store.engines import T0, event_row, ndjson

from touchline.errors import InvalidPayload
from touchline.store.ndjson import RowDecoder
from touchline.store.schema import EVENT_SCHEMA


def test_rows_decode_with_their_stored_types(tmp_path: Path) -> None:
    rows = [
        event_row(ts=T0 + dt.timedelta(microseconds=7), revenue="99.95", title="ñandú 🎉"),
        event_row(visitor_key=2**64 - 1, is_payment_return=True, engaged_ms=1500),
    ]
    path = tmp_path / "rows.ndjson"
    path.write_bytes(ndjson(rows))

    table = RowDecoder().decode(path)

    assert table.schema == EVENT_SCHEMA
    first, second = table.to_pylist()
    assert first["ts"] == T0 + dt.timedelta(microseconds=7)
    assert (first["revenue"], first["title"]) == (Decimal("99.95"), "ñandú 🎉")
    assert (second["visitor_key"], second["is_payment_return"]) == (2**64 - 1, True)
    assert second["revenue"] is None


def test_missing_keys_are_null_and_unknown_keys_ignored(tmp_path: Path) -> None:
    path = tmp_path / "rows.ndjson"
    path.write_bytes(b'{"profile_id": "p", "surprise": [1, 2]}\n')

    (row,) = RowDecoder().decode(path).to_pylist()

    assert row["profile_id"] == "p" and row["event_id"] is None


@pytest.mark.parametrize("line", [b"{not json\n", b'{"ts": "yesterday"}\n', b"[1, 2]\n"])
def test_undecodable_rows_raise_invalid_payload(tmp_path: Path, line: bytes) -> None:
    path = tmp_path / "rows.ndjson"
    path.write_bytes(line)

    with pytest.raises(InvalidPayload):
        RowDecoder().decode(path)


def test_a_malformed_amount_raises_invalid_payload(tmp_path: Path) -> None:
    path = tmp_path / "rows.ndjson"
    path.write_bytes(ndjson([event_row(revenue="12,50")]))

    with pytest.raises(InvalidPayload):
        RowDecoder().decode(path)
