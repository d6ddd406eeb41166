"""`/customer-profiles` over data fed through the real ingest path (tests/api/people.py: Jane
with two $299 payments, Bob with $50, a payer known by email only with $10, and a customer of a
second profile): paging, lookups, upserts, 409s, 404s, scopes, BOLA, cohorts, LTV, journey,
attribution, unmerge and the erase that leaves no trace in either plane."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.api.conftest import Api
from tests.api.people import People, at, identify, seed, send
from tests.api.pii import traces
from tests.attribution.journeys import payment

from touchline.api.routes import customer_profiles as routes
from touchline.control.repos import customers, fx_rates, profiles
from touchline.domain.keys import Scope
from touchline.identity.erase_command import ERASE_PATH
from touchline.store.base import Sql

BASE = "/api/v1/customer-profiles"
CASH = Sql(
    "SELECT count(*), sum(c.reporting_value * r.last_touch), sum(c.reporting_value * r.linear)"
    " FROM credit_rows r JOIN conversions c USING (profile_id, conversion_key)"
)
CONVERSIONS = Sql("SELECT count(*), sum(reporting_value) FROM conversions")


@pytest.fixture
def people(api: Api) -> People:
    return seed(api)


def keys(api: Api) -> tuple[dict[str, str], dict[str, str]]:
    """A reader and a reader-writer of the served profile."""
    read = api.key(Scope.CUSTOMERS_READ, rate_limit=1000)
    write = api.key(Scope.CUSTOMERS_READ, Scope.CUSTOMERS_WRITE, rate_limit=1000)
    return read, write


def call(api: Api, method: str, path: str, headers: dict[str, str], status: int = 200,
         **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    answer = api.served.client.request(method, BASE + path, headers=headers, **kwargs)
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_list_counts_pages_sorts_and_searches_live_customers(api: Api, people: People) -> None:
    read, _ = keys(api)
    body = call(api, "GET", "", read)
    ids = [row["id"] for row in body["data"]]
    assert sorted(ids) == sorted([people.jane, people.bob, people.ghost])
    assert body["meta"] == {
        "profile_id": api.served.profile_id, "page": 1, "limit": 20, "total": 3,
        "has_more": False,
    }  # fmt: skip
    ascending = [r["id"] for r in call(api, "GET", "", read, params={"sortOrder": "asc"})["data"]]
    assert ascending == ids[::-1]
    first = call(api, "GET", "", read, params={"limit": 2})
    second = call(api, "GET", "", read, params={"limit": 2, "page": 2})
    assert [r["id"] for r in first["data"] + second["data"]] == ids
    assert (first["meta"]["has_more"], second["meta"]["has_more"]) == (True, False)
    jane = next(r for r in body["data"] if r["id"] == people.jane)
    assert (jane["email"], jane["display_name"], jane["conversion_count"], jane["ltv"]) == (
        "jane@example.com", "Jane Smith", 2, 598.0,
    )  # fmt: skip
    assert (jane["first_conversion_at"], jane["last_conversion_at"], jane["currency"]) == (
        "2026-03-20T16:45:00Z", "2026-03-22T14:30:00Z", "USD",
    )  # fmt: skip
    found = call(api, "GET", "", read, params={"search": "SMITH"})["data"]
    assert [r["id"] for r in found] == [people.jane]
    assert call(api, "GET", "", read, params={"search": "%"})["data"] == []
    assert call(api, "GET", "/count", read)["data"] == {"count": 3}


def test_bad_list_parameters_answer_invalid_parameter(api: Api, people: People) -> None:
    read, _ = keys(api)
    for query in ({"limit": "101"}, {"page": "0"}, {"sortOrder": "up"}, {"page": "x"}):
        body = call(api, "GET", "", read, 400, params=query)
        assert body["error"]["code"] == "invalid_parameter", query


def test_upsert_by_external_id_links_an_email_and_refuses_duplicates(
    api: Api, people: People
) -> None:
    read, write = keys(api)
    made = call(api, "POST", "", write, json={"externalId": "crm-1", "email": "New@Example.com",
                                              "firstName": "Nia", "lastName": "Obi"})  # fmt: skip
    assert made["data"]["created"] is True
    new = made["data"]["customer"]
    assert (new["email"], new["display_name"], new["external_id"]) == (
        "new@example.com", "Nia Obi", "crm-1",
    )  # fmt: skip
    again = call(api, "POST", "", write, json={"externalId": "crm-1", "phone": "+14155550123"})
    assert again["data"]["created"] is False
    assert again["data"]["customer"]["id"] == new["id"]
    assert again["data"]["customer"]["phone"] == "+14155550123"
    linked = call(api, "POST", "", write, json={"externalId": "crm-2", "email": "JANE@example.com"})
    assert (linked["data"]["created"], linked["data"]["customer"]["id"]) == (False, people.jane)
    assert linked["data"]["customer"]["ltv"] == 598.0  # the same person, not a duplicate
    by_ext = call(api, "GET", "/ext_crm-2", read)["data"]
    assert by_ext["id"] == people.jane
    dup = call(
        api, "POST", "", write, 409, json={"externalId": "crm-3", "email": "jane@example.com"}
    )
    assert dup["error"]["code"] == "duplicate_external_id"
    patch = call(api, "PATCH", f"/{people.bob}", write, 409, json={"externalId": "crm-2"})
    assert patch["error"]["code"] == "duplicate_external_id"
    clash = call(api, "PATCH", f"/{people.bob}", write, 409, json={"email": "jane@example.com"})
    assert clash["error"]["code"] == "conflict"
    renamed = call(api, "PATCH", f"/{people.bob}", write, json={"externalId": "crm-9"})
    assert renamed["data"]["external_id"] == "crm-9"
    bad = call(api, "POST", "", write, 400, json={"email": "not-an-email"})
    assert bad["error"]["code"] == "invalid_parameter"
    assert call(api, "GET", "/count", read)["data"] == {"count": 4}


def test_writes_need_customers_write_which_no_default_key_has(api: Api, people: People) -> None:
    read, _ = keys(api)
    for headers in (read, api.key()):
        body = call(api, "POST", "", headers, 403, json={"externalId": "x"})
        assert body["error"]["code"] == "insufficient_scope"
        call(api, "DELETE", f"/{people.bob}", headers, 403)
    call(api, "GET", "", api.key(), 403)  # reads need customers:read


def test_unknown_ids_are_not_found(api: Api, people: People) -> None:
    read, write = keys(api)
    for path in ("/nope", "/ext_nope", "/nope/journey", "/nope/attribution"):
        assert call(api, "GET", path, read, 404)["error"]["code"] == "not_found"
    call(api, "PATCH", "/nope", write, 404, json={"firstName": "X"})
    call(api, "DELETE", "/nope", write, 404)
    call(api, "POST", "/nope/recalculate-ltv", write, 404)


def test_another_profiles_key_never_sees_these_customers(api: Api, people: People) -> None:
    _, write = keys(api)
    call(api, "PATCH", f"/{people.jane}", write, json={"externalId": "crm-jane"})
    other = people.other_key
    for path in (f"/{people.jane}", "/ext_crm-jane", f"/{people.jane}/journey",
                 f"/{people.jane}/attribution"):  # fmt: skip
        body = call(api, "GET", path, other, 404)
        assert "jane@" not in str(body).lower() and people.jane not in str(body["error"]["code"])
    listed = call(api, "GET", "", other, params={"search": "jane"})
    assert listed["data"] == [] and listed["meta"]["total"] == 0
    theirs = call(api, "GET", "", other)["data"]
    assert [r["id"] for r in theirs] == [people.other_profile_customer]
    cohorts = call(api, "GET", "/cohorts", other, params={"group_by": "month"})["data"]
    assert [c["customers"] for c in cohorts["cohorts"]] == [1]
    assert cohorts["cohorts"][0]["ltv"] == 77.0
    call(api, "PATCH", f"/{people.jane}", other, 404, json={"firstName": "X"})
    call(api, "DELETE", f"/{people.jane}", other, 404)
    assert call(api, "GET", f"/{people.jane}", keys(api)[0])["data"]["email"] == "jane@example.com"


def test_cohorts_by_time_campaign_and_source(api: Api, people: People) -> None:
    read, _ = keys(api)
    month = call(api, "GET", "/cohorts", read, params={"group_by": "month"})["data"]
    assert len(month["cohorts"]) == 1  # the three were created by the same load
    assert {k: v for k, v in month["cohorts"][0].items() if k != "cohort"} == {
        "customers": 3, "converted": 3, "conversions": 4, "ltv": 658.0, "average_ltv": 219.33,
    }  # fmt: skip
    source = call(api, "GET", "/cohorts", read, params={"group_by": "source"})["data"]
    assert [(c["cohort"], c["customers"], c["ltv"]) for c in source["cohorts"]] == [
        ("(direct)", 1, 10.0), ("google.com", 1, 50.0), ("ig", 1, 598.0),
    ]  # fmt: skip
    campaign = call(api, "GET", "/cohorts", read, params={"group_by": "campaign"})["data"]
    assert [(c["cohort"], c["customers"]) for c in campaign["cohorts"]] == [
        ("(none)", 2), ("spring", 1),
    ]  # fmt: skip
    body = call(api, "GET", "/cohorts", read, 400, params={"group_by": "day"})
    assert body["error"]["code"] == "invalid_parameter" and "group_by" in body["error"]["message"]
    call(api, "GET", "/cohorts", read, 400)  # group_by is required
    future = call(api, "GET", "/cohorts", read, params={"group_by": "week", "start": "2999-01-01"})
    assert future["data"]["cohorts"] == []


def test_ltv_cohorts_accumulate_each_month_from_the_first_payment(api: Api, people: People) -> None:
    read, _ = keys(api)
    send(api, _context(api), [
        _payment_of("bob@example.com", at(25, 9).replace(month=4), 40, "pi_apr"),
    ], origin="webhook:stripe")  # fmt: skip
    api.served.runtime.loader.drain()
    body = call(api, "GET", "/ltv-cohorts", read, params={"months": "3"})["data"]
    assert body == {
        "months": 3, "currency": "USD",
        "cohorts": [{"cohort": "2026-03", "customers": 3, "cumulative_ltv": [658.0, 698.0, 698.0],
                     "average_ltv": [219.33, 232.67, 232.67]}],
    }  # fmt: skip
    for months in ("0", "37", "x"):
        call(api, "GET", "/ltv-cohorts", read, 400, params={"months": months})
    assert len(call(api, "GET", "/ltv-cohorts", read)["data"]["cohorts"][0]["average_ltv"]) == 12


def _context(api: Api) -> Any:
    with api.served.runtime.database.read() as session:
        return profiles.get(session, api.served.profile_id).context()


def _payment_of(email: str, when: Any, amount: float, ref: str, currency: str = "USD") -> Any:
    return payment(when, amount, ref=ref, email=email, currency=currency)


def test_journey_and_attribution_of_a_customer(api: Api, people: People) -> None:
    read, _ = keys(api)
    journey = call(api, "GET", f"/{people.jane}/journey", read)["data"]
    kinds = [(e["event_type"], e["event_time"]) for e in journey["events"]]
    assert kinds[0] == ("page_view", "2026-03-18T10:00:00Z")
    assert journey["total_count"] == len(kinds) == 4  # two visits, two payments
    linear = call(api, "GET", f"/{people.jane}/attribution", read, params={"model": "linear"})
    data = linear["data"]
    assert (data["model"], data["currency"], data["attributed_value"]) == ("linear", "USD", 598.0)
    first = data["conversions"][0]
    assert [(c["channel"], c["credit"], c["attributed_value"]) for c in first["credits"]] == [
        ("Paid Social", 0.5, 149.5), ("Direct", 0.5, 149.5),
    ]  # fmt: skip
    bad = call(api, "GET", f"/{people.jane}/attribution", read, 400, params={"model": "nope"})
    assert bad["error"]["code"] == "invalid_parameter"


def test_unmerge_splits_off_the_merged_customer(api: Api, people: People) -> None:
    read, write = keys(api)
    send(api, _context(api), [identify("v-bob", at(24, 9), "jane@example.com", "Jane", "Smith")],
         origin="import")  # fmt: skip
    api.served.runtime.loader.drain()
    assert call(api, "GET", f"/{people.bob}", read)["data"]["id"] == people.jane  # merged
    assert call(api, "GET", "/count", read)["data"] == {"count": 2}
    with api.served.runtime.database.read() as session:
        [merge] = customers.merges(session, api.served.profile_id)
    assert (merge.winner_id, merge.loser_id) == (people.jane, people.bob)
    call(api, "POST", f"/{people.ghost}/unmerge", write, 404, json={"merge_id": merge.id})
    done = call(api, "POST", f"/{people.jane}/unmerge", write, json={"merge_id": merge.id})
    assert done["data"] == {"merge_id": merge.id, "winner_id": people.jane, "loser_id": people.bob}
    bob = call(api, "GET", f"/{people.bob}", read)["data"]
    assert (bob["id"], bob["ltv"], bob["conversion_count"]) == (people.bob, 50.0, 1)
    call(api, "POST", f"/{people.jane}/unmerge", write, 409, json={"merge_id": merge.id})


def test_recalculate_ltv_answers_the_recomputed_value(api: Api, people: People) -> None:
    _, write = keys(api)
    body = call(api, "POST", f"/ext_{'x'}/recalculate-ltv", write, 404)
    assert body["error"]["code"] == "not_found"
    done = call(api, "POST", f"/{people.jane}/recalculate-ltv", write)["data"]
    assert (done["id"], done["ltv"], done["conversion_count"], done["currency"]) == (
        people.jane, 598.0, 2, "USD",
    )  # fmt: skip
    assert done["conversions_revalued"] == 0  # every payment already in USD


def test_delete_erases_the_person_from_both_planes_and_keeps_the_money(
    api: Api, people: People
) -> None:
    read, write = keys(api)
    store = api.served.runtime.store
    call(api, "PATCH", f"/{people.jane}", write, json={"externalId": "crm-jane",
                                                      "phone": "+1 415 555 0199"})  # fmt: skip
    before = (store.query(CONVERSIONS), store.query(CASH))
    pii = ("jane@example.com", "Smith", "+14155550199", "crm-jane", "v-jane")
    assert traces(api.served.runtime.database, store, *pii)  # the scan finds them while she exists
    erased = call(api, "DELETE", f"/{people.jane}", write)["data"]
    assert erased["id"] == people.jane and erased["deleted"] is True
    assert traces(api.served.runtime.database, store, *pii) == []
    assert (store.query(CONVERSIONS), store.query(CASH)) == before
    [(count, _last_touch, linear)] = before[1]
    assert count > 0 and Decimal(str(linear)) > 0
    call(api, "GET", f"/{people.jane}", read, 404)
    assert call(api, "GET", "/count", read)["data"] == {"count": 2}
    month = call(api, "GET", "/cohorts", read, params={"group_by": "month"})["data"]
    assert month["cohorts"][0]["customers"] == 2
    # She comes back: a new customer, not the erased one.
    send(api, _context(api), [identify("v-jane2", at(26, 9), "jane@example.com", "J", "S")],
         origin="import")  # fmt: skip
    api.served.runtime.loader.drain()
    back = call(api, "GET", "", read, params={"search": "jane@"})["data"]
    assert len(back) == 1 and back[0]["id"] != people.jane and back[0]["ltv"] == 0.0


def test_the_cli_verb_asks_the_running_server_through_its_internal_endpoint(
    api: Api, people: People
) -> None:
    runtime = api.served.runtime
    answer = api.served.client.post(
        ERASE_PATH, params={"profile": api.served.profile_id, "customer": people.bob},
        headers={"Authorization": f"Bearer {runtime.token}"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows_scrubbed"]["conversions"] == 1
    assert traces(runtime.database, runtime.store, "bob@example.com", "v-bob", "Jones") == []
    # Nobody else's data was touched: Jane's identity and payments still name her.
    assert set(traces(runtime.database, runtime.store, "jane@example.com", "Smith")) >= {
        "control.customer_profiles.email", "event.event_rows.identity", "event.identity_map.value",
    }  # fmt: skip
    assert answer.json()["rows_scrubbed"]["events"] == 3  # Bob's visit, identify and payment
    call(api, "GET", f"/{people.bob}", keys(api)[0], 404)


@pytest.fixture
def counted(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which heavy reads ran their query (the others were answered from the cache)."""
    runs: list[str] = []

    def counting(name: str, real: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            runs.append(name)
            return real(*args, **kwargs)

        return run

    queries = {
        "cohort_rows": "profile_cohorts",
        "ltv_rows": "profile_ltv_cohorts",
        "customer_timeline": "customer_timeline",
        "customer_journey": "customer_journey",
    }
    for label, name in queries.items():  # label: what the assertions call the query
        monkeypatch.setattr(routes, name, counting(label, getattr(routes, name)))
    return runs


def test_heavy_reads_are_cached_until_a_write_makes_them_fresh(
    api: Api, people: People, counted: list[str]
) -> None:
    read, write = keys(api)
    reads = [("/cohorts", {"group_by": "month"}), ("/ltv-cohorts", {}),
             (f"/{people.bob}/journey", {}), (f"/{people.bob}/attribution", {})]  # fmt: skip
    for _ in range(2):
        for path, query in reads:
            call(api, "GET", path, read, params=query)
    assert counted == ["cohort_rows", "ltv_rows", "customer_timeline", "customer_journey"]
    call(api, "PATCH", f"/{people.ghost}", write, json={"firstName": "Gus"})
    call(api, "GET", "/cohorts", read, params={"group_by": "month"})
    assert counted[-1] == "cohort_rows" and len(counted) == 5
    call(api, "DELETE", f"/{people.bob}", write)
    call(api, "GET", f"/{people.bob}/journey", read, 404)  # fresh: Bob is gone
    month = call(api, "GET", "/cohorts", read, params={"group_by": "month"})["data"]
    assert month["cohorts"][0]["customers"] == 2 and len(counted) == 6


def test_recalculate_ltv_values_a_payment_at_rates_imported_since(
    api: Api, people: People, tmp_path: Any
) -> None:
    read, write = keys(api)
    send(api, _context(api), [_payment_of("bob@example.com", at(20, 12), 100_000, "pi_ars",
                                          currency="ARS")], origin="webhook:stripe")  # fmt: skip
    api.served.runtime.loader.drain()
    bob = call(api, "GET", f"/{people.bob}", read)["data"]
    assert (bob["conversion_count"], bob["ltv"]) == (2, 50.0)  # ECB has no ARS: unconverted
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,per_eur\n2026-03-20,ARS,1000\n2026-03-20,USD,1.25\n")
    with api.served.runtime.database.transaction() as session:
        fx_rates.import_csv(session, rates)
    assert call(api, "GET", f"/{people.bob}", read)["data"]["ltv"] == 50.0  # not yet re-valued
    done = call(api, "POST", f"/{people.bob}/recalculate-ltv", write)["data"]
    # 100,000 ARS = 100 EUR = 125 USD on the day; plus the $50 payment.
    assert (done["ltv"], done["conversions_revalued"]) == (175.0, 1)
    assert call(api, "GET", f"/{people.bob}", read)["data"]["ltv"] == 175.0
