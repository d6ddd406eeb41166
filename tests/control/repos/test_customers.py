"""The identity graph's read side: customers with their identifiers, look-ups, pages, merges."""

from __future__ import annotations

import pytest
from tests.identity.graph_helpers import ids, resolve

from touchline.control.db import Database
from touchline.control.repos import customers
from touchline.control.repos.profiles import ProfileRecord
from touchline.errors import InvalidParameter, NotFound

pytestmark = pytest.mark.postgres


def test_a_customer_comes_with_its_identifiers_and_invalid_values(
    database: Database, profile: ProfileRecord
) -> None:
    made = resolve(database, profile.id, ids("v1", email="Kim@x.io", phone="12", first_name="Kim"))
    with database.read() as session:
        record = customers.get(session, str(made.customer_id))
        found = customers.find(session, profile.id, "email", "kim@x.io")
        missing = customers.find(session, profile.id, "email", "nobody@x.io")
        owned = customers.identifiers(session, record.id)

    assert record.identifiers == (("anonymous_id", "v1"), ("email", "kim@x.io"))
    assert (record.display_name, record.email, record.invalid) == (
        "Kim",
        "kim@x.io",
        {"phone": ["12"]},
    )
    assert found == record and missing is None
    assert [(i.kind, i.value, i.customer_id) for i in owned] == [
        ("anonymous_id", "v1", record.id),
        ("email", "kim@x.io", record.id),
    ]
    assert record.as_json()["identifiers"][1] == {"kind": "email", "value": "kim@x.io"}


def test_customers_are_listed_oldest_first_in_pages_without_merged_ones(
    database: Database, profile: ProfileRecord
) -> None:
    made = [resolve(database, profile.id, ids(f"v{i}")).customer_id for i in range(3)]
    resolve(database, profile.id, ids(phone="+14155552671"))
    resolve(database, profile.id, ids(email="z@x.io"))
    resolve(database, profile.id, ids(email="z@x.io", phone="+14155552671"))  # a merge

    with database.read() as session:
        first = customers.list_for_profile(session, profile_id=profile.id, limit=2)
        rest = customers.list_for_profile(session, profile_id=profile.id, limit=2, offset=2)
        everyone = customers.list_for_profile(session, profile_id=profile.id, include_merged=True)

    assert [c.id for c in first] == made[:2]
    assert len(rest) == 2 and rest[0].id == made[2]  # the merged-away phone customer is hidden
    assert len(everyone) == 5 and sum(c.merged_into_id is not None for c in everyone) == 1


def test_merges_are_listed_newest_first_and_read_one_by_one(
    database: Database, profile: ProfileRecord
) -> None:
    resolve(database, profile.id, ids(phone="+14155552671"))
    resolve(database, profile.id, ids(email="m@x.io"))
    [merge_id] = resolve(database, profile.id, ids(email="m@x.io", phone="+14155552671")).merge_ids

    with database.read() as session:
        [listed] = customers.merges(session, profile.id)
        one = customers.merge(session, merge_id)

    assert listed == one
    assert (one.reason, one.moved, one.unmerged_at) == ("shared email+phone", 1, None)


def test_unknown_ids_and_bad_pages_are_clear_errors(
    database: Database, profile: ProfileRecord
) -> None:
    with database.read() as session:
        with pytest.raises(NotFound, match="customer nope not found"):
            customers.get(session, "nope")
        with pytest.raises(NotFound, match="merge nope not found"):
            customers.merge(session, "nope")
        with pytest.raises(InvalidParameter, match="limit"):
            customers.list_for_profile(session, profile_id=profile.id, limit=0)
