"""JSON fields as compact strings; payload depth, key and size limits."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.ingest.enrich.payload import check_payload, measure, payload_step
from touchline.ingest.enrich.step import PayloadLimitError
from touchline.ingest.protocol import MAX_PAYLOAD_BYTES, MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_KEYS

from .events import new_row, raw_event, request


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"child": value}
    return value


def enrich(**fields: Any) -> dict[str, Any]:
    row = new_row()
    assert payload_step(raw_event(**fields), request(), row) is None
    return row


def test_json_fields_are_compact_strings_and_empty_when_absent() -> None:
    row = enrich(
        payload={"plan": "pro", "seats": 3},
        identity={"email": "ana@example.com"},
        consent={"analytics": True},
    )
    assert row["payload"] == '{"plan":"pro","seats":3}'
    assert row["identity"] == '{"email":"ana@example.com"}'
    assert row["consent"] == '{"analytics":true}'
    assert (enrich()["payload"], enrich()["identity"], enrich()["consent"]) == ("", "", "")


def test_payload_depth_is_limited() -> None:
    enrich(payload=nested(MAX_PAYLOAD_DEPTH))
    with pytest.raises(PayloadLimitError) as raised:
        enrich(payload=nested(MAX_PAYLOAD_DEPTH + 1))
    assert raised.value.field == "payload"
    assert "deeper" in raised.value.problem


def test_payload_keys_are_counted_at_every_level() -> None:
    half = MAX_PAYLOAD_KEYS // 2
    enrich(payload={f"k{i}": i for i in range(MAX_PAYLOAD_KEYS)})
    with pytest.raises(PayloadLimitError, match="keys"):
        enrich(
            payload={"a": {f"k{i}": i for i in range(half)}, **{f"j{i}": i for i in range(half)}}
        )


def test_payload_size_is_limited() -> None:
    enrich(payload={"text": "x" * (MAX_PAYLOAD_BYTES - 20)})
    with pytest.raises(PayloadLimitError, match="bytes"):
        enrich(payload={"text": "x" * MAX_PAYLOAD_BYTES})


def test_colons_and_brackets_inside_strings_do_not_trip_the_fast_bound() -> None:
    check_payload({"note": "a:b:{[" * 200}, b'{"note":"' + b"a:b:{[" * 200 + b'"}')


def reference(value: Any, level: int = 1) -> tuple[int, int]:
    if isinstance(value, dict):
        children = [reference(child, level + 1) for child in value.values()]
        return max([level, *(d for d, _ in children)]), len(value) + sum(k for _, k in children)
    if isinstance(value, list):
        children = [reference(child, level + 1) for child in value]
        return max([level, *(d for d, _ in children)]), sum(k for _, k in children)
    return 0, 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=40,
)


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=6))
def test_the_limits_agree_with_a_plain_recursive_measure(payload: dict[str, Any]) -> None:
    depth, keys = reference(payload)
    over = depth > MAX_PAYLOAD_DEPTH or keys > MAX_PAYLOAD_KEYS
    try:
        enrich(payload=payload)
    except PayloadLimitError:
        assert over
    else:
        assert not over
    if not over:
        assert measure(payload) == (depth, keys)
