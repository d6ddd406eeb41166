"""The GoHighLevel sync against recorded API v2 answers on a loopback server: startAfter /
startAfterId paging over two pages, a 429 honoured, pass cursors and floors, the calendar
window, the deal currency and an expired token."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson
import pytest
from tests.connectors.fixture_server import Answer, FixtureServer, recorded

from touchline.connectors.base import Connection, HttpOptions, Page, Provider, ProviderAuthExpired
from touchline.connectors.ghl.sync import PassCursor, sync

LOCATION = "ve9EPM428h8vShlRW1KT"
NOW = datetime(2026, 10, 12, 12, tzinfo=UTC)


def connection(server: FixtureServer, *, currency: str = "", **cursors: str) -> Connection:
    config = {"location_id": LOCATION, "api_base": server.url}
    return Connection(
        connection_id="con_1", profile_id="prof_1", provider=Provider.GHL,
        config={**config, "currency": currency} if currency else config,
        secrets={"access_token": "pit-3f9c0b7e-1d2a-4c5b-8e6f-7a8b9c0d1e2f"}, cursors=cursors,
    )  # fmt: skip


def http(waits: list[float] | None = None) -> HttpOptions:
    record = waits.append if waits is not None else (lambda _: None)
    return HttpOptions(sleep=record, clock=NOW.timestamp)


def serve_location(server: FixtureServer, *contacts_first: Answer) -> None:
    server.route(
        "GET", "/contacts/", *contacts_first, recorded("ghl/contacts_page_1.json"),
        recorded("ghl/contacts_page_2.json"),
    )  # fmt: skip
    server.route("GET", "/opportunities/pipelines", recorded("ghl/pipelines.json"))
    server.route("GET", f"/locations/{LOCATION}", recorded("ghl/location.json"))
    server.route(
        "GET", "/opportunities/search", recorded("ghl/opportunities_page_1.json"),
        recorded("ghl/opportunities_page_2.json"),
    )  # fmt: skip
    server.route("GET", "/calendars/", recorded("ghl/calendars.json"))
    server.route(
        "GET", "/calendars/events", recorded("ghl/calendar_events_consultations.json"),
        recorded("ghl/calendar_events_treatment.json"),
    )  # fmt: skip


def names(pages: list[Page]) -> list[tuple[str, list[str]]]:
    return [(page.stream, [event.name for event in page.events]) for page in pages]


def test_a_first_sync_reads_every_page_of_every_stream(provider_api: FixtureServer) -> None:
    serve_location(provider_api)
    pages = list(sync(connection(provider_api), since=None, http=http()))
    assert names(pages) == [
        ("contacts", ["lead_created", "lead_created", "contact_updated"]),
        ("contacts", ["lead_created"]),
        ("opportunities", ["stage_changed", "stage_changed", "stage_changed"]),
        ("opportunities", ["stage_changed"]),
        ("calendar", ["calendar_event", "appointment_booked", "calendar_event"]),
        ("calendar", ["calendar_event", "appointment_booked"]),
    ]
    values = [e.revenue.amount for p in pages for e in p.events if e.revenue]
    assert values == [5000.0, 5000.0, 1200.5]  # the location's USD: won stage, won status
    assert [p.cursor is None for p in pages] == [False, False, False, False, True, False]


def test_requests_carry_the_token_the_version_and_ghls_cursor(
    provider_api: FixtureServer,
) -> None:
    serve_location(provider_api)
    list(sync(connection(provider_api), since=None, http=http()))
    contacts = [r for r in provider_api.requests if r.path == "/contacts/"]
    assert contacts[0].headers["authorization"] == "Bearer pit-3f9c0b7e-1d2a-4c5b-8e6f-7a8b9c0d1e2f"
    assert contacts[0].headers["version"] == "2021-07-28"
    assert contacts[0].query == {"locationId": [LOCATION], "limit": ["100"]}
    assert contacts[1].query == {
        "locationId": [LOCATION], "limit": ["100"], "startAfter": ["1791130800000"],
        "startAfterId": ["Q1wErTy2UiOp3AsDf4Gh"],
    }  # fmt: skip
    search = next(r for r in provider_api.requests if r.path == "/opportunities/search")
    assert search.query == {"location_id": [LOCATION], "status": ["all"], "limit": ["100"]}
    events = [r for r in provider_api.requests if r.path == "/calendars/events"]
    assert [r.query["calendarId"] for r in events] == [["BqTwX8QFwXzpegMve9EQ"],
                                                       ["Lm3Nb4Vc5Xz6Aq7Sw8De"]]  # fmt: skip
    start = int(datetime(2025, 10, 12, 12, tzinfo=UTC).timestamp() * 1000)
    assert events[0].query["startTime"] == [str(start)]
    assert events[0].headers["version"] == "2021-04-15"


def test_a_429_is_waited_out_as_retry_after_says(provider_api: FixtureServer) -> None:
    limited = recorded("ghl/rate_limited.json", 429, **{"Retry-After": "3"})
    serve_location(provider_api, limited)
    waits: list[float] = []
    pages = list(sync(connection(provider_api), since=None, http=http(waits)))
    assert waits == [3.0]
    assert len(pages) == 6


def test_an_interrupted_pass_resumes_where_it_stopped(provider_api: FixtureServer) -> None:
    serve_location(provider_api)
    provider_api.route("GET", "/contacts/", recorded("ghl/contacts_page_2.json"))
    resume = PassCursor(started=NOW, after=None).encode()
    middle = orjson.loads(resume) | {"after": ["1791130800000", "Q1wErTy2UiOp3AsDf4Gh"]}
    pages = list(sync(connection(provider_api, contacts=orjson.dumps(middle).decode()),
                      since=None, http=http()))  # fmt: skip
    first = next(r for r in provider_api.requests if r.path == "/contacts/")
    assert first.query["startAfterId"] == ["Q1wErTy2UiOp3AsDf4Gh"]
    assert names(pages)[0] == ("contacts", ["lead_created"])


def test_a_finished_pass_only_maps_what_changed_since_its_floor(
    provider_api: FixtureServer,
) -> None:
    serve_location(provider_api)
    pages = list(sync(connection(provider_api), since=None, http=http()))
    floor = PassCursor.parse(pages[1].cursor, None).floor
    assert floor == datetime(2026, 10, 11, 12, tzinfo=UTC)  # the pass's start less a day
    later = PassCursor(floor=datetime(2026, 10, 5, tzinfo=UTC)).encode()
    serve_location(provider_api)
    again = list(sync(connection(provider_api, contacts=later, opportunities=later),
                      since=None, http=http()))  # fmt: skip
    assert names(again)[:4] == [
        ("contacts", ["lead_created", "contact_updated"]),  # updated on Oct 6
        ("contacts", []),
        ("opportunities", ["stage_changed", "stage_changed"]),  # the deal won on Oct 9
        ("opportunities", ["stage_changed"]),  # updated on Oct 5
    ]


def test_since_starts_a_new_pass_and_the_calendar_window_from_that_day(
    provider_api: FixtureServer,
) -> None:
    serve_location(provider_api)
    stored = PassCursor(floor=datetime(2026, 10, 11, tzinfo=UTC)).encode()
    pages = list(sync(connection(provider_api, contacts=stored), since=date(2026, 10, 1),
                      http=http()))  # fmt: skip
    assert len(pages[0].events) == 3
    events = next(r for r in provider_api.requests if r.path == "/calendars/events")
    assert events.query["startTime"] == [str(int(datetime(2026, 10, 1, tzinfo=UTC).timestamp()
                                                 * 1000))]  # fmt: skip


def test_the_connections_currency_wins_over_the_locations(provider_api: FixtureServer) -> None:
    serve_location(provider_api)
    pages = list(sync(connection(provider_api, currency="mxn"), since=None, http=http()))
    currencies = {e.revenue.currency for p in pages for e in p.events if e.revenue}
    assert currencies == {"MXN"}
    assert all(r.path != f"/locations/{LOCATION}" for r in provider_api.requests)


def test_an_expired_token_stops_the_sync_as_auth_expired(provider_api: FixtureServer) -> None:
    provider_api.route("GET", "/contacts/", recorded("ghl/token_expired.json", 401))
    with pytest.raises(ProviderAuthExpired, match="Invalid JWT"):
        list(sync(connection(provider_api), since=None, http=http()))


def test_without_an_access_token_the_connection_is_webhooks_only(
    provider_api: FixtureServer,
) -> None:
    webhooks_only = Connection(
        connection_id="con_1", profile_id="prof_1", provider=Provider.GHL,
        config={"location_id": LOCATION, "api_base": provider_api.url},
        secrets={"webhook_secret": "s"},
    )  # fmt: skip
    assert list(sync(webhooks_only, since=None, http=http())) == []
    assert provider_api.requests == []
