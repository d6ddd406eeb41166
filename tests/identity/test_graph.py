"""The identity graph on a real control plane: create, attach, COALESCE backfill, merges by the
§9 #64 winner rule, unmerge, invalid values, versions and lost races."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.identity.graph_helpers import T0, customer, ids, owners, resolve

from touchline.control.db import Database
from touchline.control.models.customer import CustomerIdentifier, CustomerProfile, IdentityMerge
from touchline.control.repos.profiles import ProfileRecord
from touchline.domain.identity import anonymous_name
from touchline.errors import Conflict, NotFound
from touchline.identity import resolver as resolver_module
from touchline.identity.graph import next_identifier_version, resolve_batch, unmerge
from touchline.identity.graph import resolve as resolve_one
from touchline.identity.resolver import Resolver

pytestmark = pytest.mark.postgres


def merges_of(database: Database) -> list[IdentityMerge]:
    with database.read() as session:
        return list(session.scalars(select(IdentityMerge).order_by(IdentityMerge.created_at)))


def undo(database: Database, merge_id: str, version: int = 10**15) -> IdentityMerge:
    with database.transaction() as session:
        return unmerge(session, merge_id, now=T0, version=next_identifier_version(session, version))


def test_unknown_identifiers_make_one_customer_with_an_anonymous_name(
    database: Database, profile: ProfileRecord
) -> None:
    result = resolve(database, profile.id, ids("anon-1", email="Jane@Example.com"))

    assert (result.created, result.written, result.merge_ids) == (1, 2, ())
    person = customer(database, str(result.customer_id))
    assert person.display_name == anonymous_name(profile.id, "anon-1")
    assert person.email == "jane@example.com"
    assert owners(database, profile.id) == {
        ("email", "jane@example.com"): person.id,
        ("anonymous_id", "anon-1"): person.id,
    }


def test_a_known_identifier_attaches_the_new_ones_and_backfills_without_overwriting(
    database: Database, profile: ProfileRecord
) -> None:
    first = resolve(database, profile.id, ids("a1", email="j@x.io", first_name="Jane"))
    again = resolve(
        database,
        profile.id,
        ids("a2", email="J@X.io", phone="+14155552671", first_name="Janet", last_name="Doe"),
    )

    assert again.customer_id == first.customer_id and again.created == 0
    assert again.written == 2  # the phone and the second device
    person = customer(database, str(first.customer_id))
    assert (person.email, person.phone) == ("j@x.io", "+14155552671")
    assert (person.first_name, person.last_name) == ("Jane", "Doe")  # Jane is never overwritten
    assert person.display_name == "Jane Doe"  # grew with the backfilled last name


def test_a_full_name_shows_until_and_after_other_names_arrive(
    database: Database, profile: ProfileRecord
) -> None:
    first = resolve(database, profile.id, ids("a1", email="n@x.io", name="Nora Ortiz"))
    resolve(database, profile.id, ids("a1", email="n@x.io", first_name="N"))
    assert customer(database, str(first.customer_id)).display_name == "Nora Ortiz"


def test_email_and_phone_of_two_customers_merge_into_the_email_one(
    database: Database, profile: ProfileRecord
) -> None:
    phone_only = resolve(database, profile.id, ids("p", phone="+14155552671", last_name="Lee"))
    email_only = resolve(database, profile.id, ids("e", email="m@x.io"))

    met = resolve(
        database, profile.id, ids("e", email="m@x.io", phone="(415) 555-2671", region="US")
    )

    winner, loser = str(email_only.customer_id), str(phone_only.customer_id)
    assert met.customer_id == winner and len(met.merge_ids) == 1
    assert set(owners(database, profile.id).values()) == {winner}
    assert customer(database, loser).merged_into_id == winner
    assert (customer(database, winner).phone, customer(database, winner).last_name) == (
        "+14155552671",
        "Lee",
    )
    [merge] = merges_of(database)
    assert (merge.winner_id, merge.loser_id, merge.reason) == (winner, loser, "shared email+phone")


def test_without_an_email_the_phone_owner_wins(database: Database, profile: ProfileRecord) -> None:
    user = resolve(database, profile.id, ids(user_id="u-1"))
    phone = resolve(database, profile.id, ids(phone="+14155552671"))
    met = resolve(database, profile.id, ids(user_id="u-1", phone="+14155552671"))
    assert met.customer_id == phone.customer_id != user.customer_id


def test_the_email_holder_wins_though_the_event_carries_only_its_external_id(
    database: Database, profile: ProfileRecord
) -> None:
    # §9 #64: the phone-only customer merges into the one with an email, not the reverse,
    # even when the event names the email customer by its Stripe id alone.
    mail = resolve(database, profile.id, ids(email="m@x.io", stripe_customer_id="cus_1"))
    phone = resolve(database, profile.id, ids(phone="+14155552671"))
    met = resolve(database, profile.id, ids(phone="+14155552671", stripe_customer_id="cus_1"))
    assert met.customer_id == mail.customer_id != phone.customer_id
    assert mail.customer_id and phone.customer_id
    assert customer(database, phone.customer_id).merged_into_id == mail.customer_id
    assert customer(database, mail.customer_id).merged_into_id is None


def test_a_phone_holder_beats_an_older_customer_with_external_ids_only(
    database: Database, profile: ProfileRecord
) -> None:
    older = resolve(database, profile.id, ids(ghl_contact_id="g-1"))
    phone = resolve(database, profile.id, ids(phone="+14155552671", user_id="u-1"))
    met = resolve(database, profile.id, ids(ghl_contact_id="g-1", user_id="u-1"))
    assert met.customer_id == phone.customer_id != older.customer_id


def test_between_two_email_holders_the_owner_of_the_events_email_wins(
    database: Database, profile: ProfileRecord
) -> None:
    older = resolve(database, profile.id, ids(email="a@x.io", user_id="u-1"))
    newer = resolve(database, profile.id, ids(email="b@x.io"))
    met = resolve(database, profile.id, ids(email="b@x.io", user_id="u-1"))
    assert met.customer_id == newer.customer_id != older.customer_id


def test_with_external_ids_only_the_oldest_customer_wins(
    database: Database, profile: ProfileRecord
) -> None:
    older = resolve(database, profile.id, ids(ghl_contact_id="g-1"))
    resolve(database, profile.id, ids(stripe_customer_id="cus_1"))
    met = resolve(database, profile.id, ids(stripe_customer_id="cus_1", ghl_contact_id="g-1"))
    assert met.customer_id == older.customer_id


def test_three_customers_meeting_merge_into_the_email_owner(
    database: Database, profile: ProfileRecord
) -> None:
    resolve(database, profile.id, ids(user_id="u"))
    resolve(database, profile.id, ids(phone="+14155552671"))
    mail = resolve(database, profile.id, ids(email="t@x.io"))
    met = resolve(database, profile.id, ids(email="t@x.io", phone="+14155552671", user_id="u"))
    assert met.customer_id == mail.customer_id and len(met.merge_ids) == 2
    assert set(owners(database, profile.id).values()) == {mail.customer_id}


def test_customers_made_and_merged_inside_one_batch_end_as_one(
    database: Database, profile: ProfileRecord
) -> None:
    result = resolve(
        database,
        profile.id,
        ids("a1", email="b@x.io"),
        ids("a2", phone="+14155552671"),
        ids("a2", email="b@x.io", phone="+14155552671"),
    )
    assert result.created == 2 and len(result.merge_ids) == 1
    assert len(set(result.customer_ids)) == 1  # every input reports where it ended up
    assert set(owners(database, profile.id).values()) == set(result.customer_ids)


def test_unmerge_restores_both_customers_exactly(
    database: Database, profile: ProfileRecord
) -> None:
    phone = resolve(database, profile.id, ids("p", phone="+14155552671", first_name="Pat"))
    mail = resolve(database, profile.id, ids("e", email="u@x.io"))
    before = owners(database, profile.id)
    winner_before = customer(database, str(mail.customer_id)).display_name
    [merge_id] = resolve(database, profile.id, ids(email="u@x.io", phone="+14155552671")).merge_ids
    assert customer(database, str(mail.customer_id)).display_name == "Pat"  # took the name

    undone = undo(database, merge_id)

    assert undone.unmerged_at is not None
    assert owners(database, profile.id) == before
    winner = customer(database, str(mail.customer_id))
    assert (winner.phone, winner.first_name, winner.display_name) == (None, None, winner_before)
    loser = customer(database, str(phone.customer_id))
    assert (loser.merged_into_id, loser.phone, loser.display_name) == (None, "+14155552671", "Pat")


def test_identifiers_the_winner_gained_after_the_merge_stay_with_it(
    database: Database, profile: ProfileRecord
) -> None:
    phone = resolve(database, profile.id, ids("p", phone="+14155552671"))
    mail = resolve(database, profile.id, ids("e", email="w@x.io"))
    [merge_id] = resolve(database, profile.id, ids(email="w@x.io", phone="+14155552671")).merge_ids
    resolve(database, profile.id, ids("later-device", email="w@x.io"))

    undo(database, merge_id)

    now = owners(database, profile.id)
    assert now[("anonymous_id", "later-device")] == mail.customer_id
    assert now[("phone", "+14155552671")] == now[("anonymous_id", "p")] == phone.customer_id


def test_unmerge_follows_a_winner_that_was_merged_away_since(
    database: Database, profile: ProfileRecord
) -> None:
    oldest = resolve(database, profile.id, ids("z", user_id="u-z"))
    middle = resolve(database, profile.id, ids("x", stripe_customer_id="cus_x"))
    newest = resolve(database, profile.id, ids("y", ghl_contact_id="g-y"))
    [first] = resolve(
        database, profile.id, ids(stripe_customer_id="cus_x", ghl_contact_id="g-y")
    ).merge_ids
    resolve(database, profile.id, ids(stripe_customer_id="cus_x", user_id="u-z"))  # x into z

    undo(database, first)

    now = owners(database, profile.id)
    assert now[("ghl_contact", "g-y")] == now[("anonymous_id", "y")] == newest.customer_id
    assert now[("stripe_customer", "cus_x")] == oldest.customer_id != middle.customer_id


def test_an_undone_or_unknown_merge_is_a_clear_error(
    database: Database, profile: ProfileRecord
) -> None:
    resolve(database, profile.id, ids(phone="+14155552671"))
    resolve(database, profile.id, ids(email="c@x.io"))
    [merge_id] = resolve(database, profile.id, ids(email="c@x.io", phone="+14155552671")).merge_ids
    undo(database, merge_id)
    with pytest.raises(Conflict, match="already undone"):
        undo(database, merge_id)
    with pytest.raises(NotFound, match="not found"):
        undo(database, "no-such-merge")


def test_invalid_values_are_kept_on_the_customer_and_never_matched(
    database: Database, profile: ProfileRecord
) -> None:
    first = resolve(database, profile.id, ids("a1", email="not-an-email", phone="12"))
    second = resolve(database, profile.id, ids("a2", email="not-an-email"))

    assert first.customer_id != second.customer_id
    assert customer(database, str(first.customer_id)).attributes["invalid"] == {
        "email": ["not-an-email"],
        "phone": ["12"],
    }
    assert set(owners(database, profile.id)) == {("anonymous_id", "a1"), ("anonymous_id", "a2")}


def test_a_replayed_batch_changes_nothing(database: Database, profile: ProfileRecord) -> None:
    batch = (
        ids("a1", email="r@x.io"),
        ids("a2", phone="+14155552671"),
        ids("a2", email="r@x.io", phone="+14155552671"),
    )
    resolve(database, profile.id, *batch)
    graph = owners(database, profile.id)

    replay = resolve(database, profile.id, *batch)

    assert (replay.written, replay.created, replay.merge_ids) == (0, 0, ())
    assert owners(database, profile.id) == graph


def test_versions_increase_even_when_the_clock_steps_back(
    database: Database, profile: ProfileRecord
) -> None:
    resolve(database, profile.id, ids(email="v@x.io"))
    with database.transaction() as session:
        stored = session.scalar(select(func.max(CustomerIdentifier.version)))
        assert next_identifier_version(session, clock_us=1) == int(stored or 0) + 1
        assert next_identifier_version(session, clock_us=2**60) == 2**60


def test_a_lost_race_on_an_identifier_resolves_to_the_stored_customer(
    database: Database, profile: ProfileRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer committed the email between our lookup and our insert: the unique
    constraint refuses the insert, the savepoint rolls back and the batch resolves again."""
    existing = resolve(database, profile.id, ids(email="race@x.io"))
    load = Resolver.load
    stale = [True]

    def stale_load(self: Resolver, batch: Any) -> None:
        load(self, batch)
        if stale.pop() if stale else False:  # the first lookup misses the other writer's row
            self.owners.pop(("email", "race@x.io"))
            self.absent.add(("email", "race@x.io"))

    monkeypatch.setattr(resolver_module.Resolver, "load", stale_load)
    result = resolve(database, profile.id, ids("device", email="race@x.io"))

    assert result.customer_id == existing.customer_id and result.created == 0
    assert set(owners(database, profile.id).values()) == {existing.customer_id}
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(CustomerProfile)) == 1


def test_two_writers_racing_on_postgresql_end_with_one_customer(
    database: Database, profile: ProfileRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real concurrency: both look up before either inserts; the second insert waits on the
    first's uncommitted key, fails once it commits, and the retry attaches to its customer."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): no race to lose")
    both_looked = threading.Barrier(2, timeout=30)
    waited: set[int] = set()
    write = Resolver.write

    def write_after_both_looked(self: Resolver) -> int:
        if threading.get_ident() not in waited:  # the loser's retry comes alone
            waited.add(threading.get_ident())
            both_looked.wait()
        return write(self)

    monkeypatch.setattr(resolver_module.Resolver, "write", write_after_both_looked)
    errors: list[BaseException] = []

    def writer(device: str, version: int) -> None:
        try:
            with database.transaction() as session:
                resolve_batch(
                    session,
                    profile_id=profile.id,
                    batch=[ids(device, email="pg@x.io")],
                    now=T0,
                    version=version,
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(f"d{i}", 10 + i)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    graph = owners(database, profile.id)
    assert len(graph) == 3 and len(set(graph.values())) == 1


def test_a_newer_customer_can_absorb_an_older_one_created_in_the_same_batch(
    database: Database, profile: ProfileRecord
) -> None:
    result = resolve(
        database,
        profile.id,
        ids("a1", phone="+14155552671"),  # created first
        ids("a2", email="later@x.io"),  # created second, owns the email: it wins
        ids("a2", email="later@x.io", phone="+14155552671"),
    )
    winner = owners(database, profile.id)[("email", "later@x.io")]
    assert set(result.customer_ids) == {winner}
    [merge] = merges_of(database)
    assert customer(database, merge.loser_id).merged_into_id == winner == merge.winner_id


def test_resolve_takes_one_events_identifiers_for_a_profile(
    database: Database, profile: ProfileRecord
) -> None:
    with database.transaction() as session:
        result = resolve_one(
            session,
            profile=profile.context(),
            identifiers=ids("solo", user_id="u-1"),
            now=T0,
            version=next_identifier_version(session, 0),
        )
    assert result.created == 1 and result.customer_id is not None
    assert owners(database, profile.id)[("user_id", "u-1")] == result.customer_id
