"""`Touchline`: a typed, synchronous client of Touchline's REST API v1 (Atribu-compatible),
AttributionHub's `/contacts` and the customer profiles API, built on httpx. One method per
endpoint; `iter_*` methods walk every page; errors raise `touchline.client.errors`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Final
from urllib.parse import quote

import httpx

from touchline.client import pagination
from touchline.client.answers import Answer, RateLimit
from touchline.client.endpoints import ENDPOINTS
from touchline.client.errors import error_for

Day = date | str
Filters = Mapping[str, str]  # {"channel": "is:Paid Social"} → filter[channel]=is:Paid Social
DEFAULT_TIMEOUT: Final = 30.0
USER_AGENT: Final = "touchline-client"


class Touchline:
    """`Touchline("https://touchline.example/api/v1", "atb_live_…")`; pass `transport=` to
    route calls elsewhere (tests use `httpx.MockTransport`). Use it as a context manager or
    call `close()`. `rate_limit` is the key's state after the last answer."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {key}", "User-Agent": USER_AGENT},
            timeout=timeout,
            transport=transport,
        )
        self.rate_limit = RateLimit(None, None)

    def __enter__(self) -> Touchline:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # Analytics (analytics:read)
    def overview(
        self, date_from: Day, date_to: Day, *, model: str | None = None,
        filters: Filters | None = None,
    ) -> Answer:  # fmt: skip
        """KPIs of the period and of the previous one of equal length (`data.current`,
        `data.previous`)."""
        return self._get("overview", _period(date_from, date_to, model=model), filters)

    def timeseries(self, date_from: Day, date_to: Day, *, filters: Filters | None = None) -> Answer:
        return self._get("timeseries", _period(date_from, date_to), filters)

    def channels(self, date_from: Day, date_to: Day, **options: Any) -> Answer:
        return self.breakdown("channels", date_from, date_to, **options)

    def pages(self, date_from: Day, date_to: Day, **options: Any) -> Answer:
        return self.breakdown("pages", date_from, date_to, **options)

    def countries(self, date_from: Day, date_to: Day, **options: Any) -> Answer:
        return self.breakdown("countries", date_from, date_to, **options)

    def devices(self, date_from: Day, date_to: Day, **options: Any) -> Answer:
        return self.breakdown("devices", date_from, date_to, **options)

    def browsers(self, date_from: Day, date_to: Day, **options: Any) -> Answer:
        return self.breakdown("browsers", date_from, date_to, **options)

    def os(self, date_from: Day, date_to: Day, **options: Any) -> Answer:
        return self.breakdown("os", date_from, date_to, **options)

    def referrers(self, date_from: Day, date_to: Day, **options: Any) -> Answer:
        return self.breakdown("referrers", date_from, date_to, **options)

    def breakdown(
        self, name: str, date_from: Day, date_to: Day, *, limit: int | None = None,
        filters: Filters | None = None,
    ) -> Answer:  # fmt: skip
        """One of the seven breakdowns (`channels`, `pages`, … `referrers`), ranked by visitors."""
        return self._get(name, _period(date_from, date_to, limit=limit), filters)

    def breakdowns(
        self, date_from: Day, date_to: Day, *, dimensions: Sequence[str],
        limit: int | None = None, filters: Filters | None = None,
    ) -> Answer:  # fmt: skip
        """`data` keyed by dimension (any filter dimension: channel, referrer, campaign, …)."""
        params = _period(date_from, date_to, dimensions=",".join(dimensions), limit=limit)
        return self._get("breakdowns", params, filters)

    def keywords(self, date_from: Day, date_to: Day, *, limit: int | None = None) -> Answer:
        return self._get("keywords", _period(date_from, date_to, limit=limit))

    def quality(self, date_from: Day, date_to: Day) -> Answer:
        return self._get("quality", _period(date_from, date_to))

    # Campaigns (campaigns:read)
    def campaigns(
        self, date_from: Day, date_to: Day, *, model: str | None = None,
        limit: int | None = None, level: str | None = None,
    ) -> Answer:  # fmt: skip
        params = _period(date_from, date_to, model=model, limit=limit, level=level)
        return self._get("campaigns", params)

    def campaign_trend(
        self, date_from: Day, date_to: Day, *, entity_ids: Sequence[str], level: str | None = None
    ) -> Answer:
        params = _period(date_from, date_to, entity_ids=",".join(entity_ids), level=level)
        return self._get("campaign_trend", params)

    # Conversions and revenue (conversions:read)
    def conversions(self, date_from: Day, date_to: Day) -> Answer:
        return self._get("conversions", _period(date_from, date_to))

    def conversion_timeseries(self, date_from: Day, date_to: Day) -> Answer:
        return self._get("conversion_timeseries", _period(date_from, date_to))

    def revenue(self, date_from: Day, date_to: Day, *, model: str | None = None) -> Answer:
        return self._get("revenue", _period(date_from, date_to, model=model))

    def cash(self, date_from: Day, date_to: Day) -> Answer:
        """Cash collected by payment source and original currency."""
        return self._get("cash", _period(date_from, date_to))

    # Customers and visitors (customers:read, visitors:read; 3 units a call)
    def customers(
        self, date_from: Day, date_to: Day, *, goal: str, search: str | None = None,
        limit: int | None = None, cursor_time: str | None = None, cursor_id: str | None = None,
    ) -> Answer:  # fmt: skip
        params = _period(date_from, date_to, goal=goal, search=search, limit=limit,
                         cursor_time=cursor_time, cursor_id=cursor_id)  # fmt: skip
        return self._get("customers", params)

    def iter_customers(
        self, date_from: Day, date_to: Day, *, goal: str, search: str | None = None,
        page_size: int = 100,
    ) -> Iterator[Any]:  # fmt: skip
        """Every customer row of the period, following `pagination.cursor`."""
        base = _period(date_from, date_to, goal=goal, search=search, limit=page_size)
        return pagination.by_cursor(lambda cursor: self._get("customers", {**base, **cursor}))

    def customer_journey(
        self, customer_id: str, *, offset: int | None = None, limit: int | None = None
    ) -> Answer:
        params = _clean(offset=offset, limit=limit)
        return self._get("customer_journey", params, path={"customer_id": customer_id})

    def iter_customer_journey(self, customer_id: str, *, page_size: int = 100) -> Iterator[Any]:
        """Every event of the customer's journey, `offset` by `offset`."""
        path = {"customer_id": customer_id}
        fetch = lambda page: self._get("customer_journey", page, path=path)  # noqa: E731
        return pagination.by_offset(fetch, items="events", total="total_count", page_size=page_size)

    def visitors(
        self, date_from: Day, date_to: Day, *, search: str | None = None,
        limit: int | None = None, cursor_time: str | None = None, cursor_id: str | None = None,
    ) -> Answer:  # fmt: skip
        params = _period(date_from, date_to, search=search, limit=limit,
                         cursor_time=cursor_time, cursor_id=cursor_id)  # fmt: skip
        return self._get("visitors", params)

    def iter_visitors(
        self, date_from: Day, date_to: Day, *, search: str | None = None, page_size: int = 100
    ) -> Iterator[Any]:
        base = _period(date_from, date_to, search=search, limit=page_size)
        return pagination.by_cursor(lambda cursor: self._get("visitors", {**base, **cursor}))

    def realtime(self) -> Answer:
        """Visitors active in the last five minutes (`data.visitors_online`)."""
        return self._get("realtime", {})

    # Keys (any valid key)
    def rotate_key(self) -> Answer:
        """A replacement for this client's key (shown once in `data.key`); both work 48 hours.
        The client keeps using the key it was built with."""
        return self._call("rotate_key")

    def revoke_key(self) -> Answer:
        """Revoke this client's key at once."""
        return self._call("revoke_key")

    # AttributionHub /contacts
    def contacts(self, *, emails: Sequence[str] | None = None, **filters: Any) -> Answer:
        """Contacts with their journey summaries (`body["contacts"]`, `body["pagination"]`).
        Filters: start_date, end_date, conversion_page, meta_type, meta_id, source, medium,
        campaign, content, term, landing_page, touch_scope, offset."""
        body = _clean(emails=list(emails) if emails is not None else None, **filters)
        return self._call("contacts", json=body)

    def iter_contacts(
        self, *, emails: Sequence[str] | None = None, **filters: Any
    ) -> Iterator[Any]:
        """Every contact, batch after batch (`offset` = the last `records_processed`)."""
        return pagination.by_records(lambda page: self.contacts(emails=emails, **filters, **page))

    # Customer profiles (customers:read; writes customers:write)
    def customer_profiles(
        self, *, page: int | None = None, limit: int | None = None,
        sort_order: str | None = None, search: str | None = None,
    ) -> Answer:  # fmt: skip
        params = _clean(page=page, limit=limit, sortOrder=sort_order, search=search)
        return self._get("customer_profiles", params)

    def iter_customer_profiles(
        self, *, sort_order: str | None = None, search: str | None = None, page_size: int = 100
    ) -> Iterator[Any]:
        base = _clean(sortOrder=sort_order, search=search)
        fetch = lambda page: self._get("customer_profiles", {**base, **page})  # noqa: E731
        return pagination.by_page(fetch, page_size=page_size)

    def customer_profile_count(self) -> Answer:
        """Live customer profiles (`data.count`)."""
        return self._get("customer_profile_count", {})

    def customer_profile(self, customer_id: str) -> Answer:
        """By id, or by external id as `ext_<externalId>`."""
        return self._get("customer_profile", {}, path=_customer(customer_id))

    def upsert_customer_profile(
        self, *, external_id: str | None = None, email: str | None = None,
        phone: str | None = None, first_name: str | None = None, last_name: str | None = None,
    ) -> Answer:  # fmt: skip
        """Create, or update the customer with the same `externalId`; an email or phone that
        belongs to a customer links to it (`data.created` says which)."""
        body = _clean(externalId=external_id, email=email, phone=phone,
                      firstName=first_name, lastName=last_name)  # fmt: skip
        return self._call("upsert_customer_profile", json=body)

    def update_customer_profile(
        self, customer_id: str, *, external_id: str | None = None, email: str | None = None,
        phone: str | None = None, first_name: str | None = None, last_name: str | None = None,
    ) -> Answer:  # fmt: skip
        """Set the fields given (409 `duplicate_external_id` for another customer's id)."""
        body = _clean(externalId=external_id, email=email, phone=phone,
                      firstName=first_name, lastName=last_name)  # fmt: skip
        return self._call("update_customer_profile", path=_customer(customer_id), json=body)

    def delete_customer_profile(self, customer_id: str) -> Answer:
        """Soft delete and erase the person from both planes (history and money stay)."""
        return self._call("delete_customer_profile", path=_customer(customer_id))

    def customer_profile_cohorts(
        self, *, group_by: str, start: Day | None = None, end: Day | None = None
    ) -> Answer:
        """`group_by`: week, month, campaign or source."""
        params = _clean(group_by=group_by, start=_day(start), end=_day(end))
        return self._get("customer_profile_cohorts", params)

    def customer_profile_ltv_cohorts(self, *, months: int | None = None) -> Answer:
        return self._get("customer_profile_ltv_cohorts", _clean(months=months))

    def recalculate_customer_profile_ltv(self, customer_id: str) -> Answer:
        return self._call("recalculate_customer_profile_ltv", path=_customer(customer_id))

    def customer_profile_journey(
        self, customer_id: str, *, offset: int | None = None, limit: int | None = None
    ) -> Answer:
        params = _clean(offset=offset, limit=limit)
        return self._get("customer_profile_journey", params, path=_customer(customer_id))

    def customer_profile_attribution(self, customer_id: str, *, model: str | None = None) -> Answer:
        params = _clean(model=model)
        return self._get("customer_profile_attribution", params, path=_customer(customer_id))

    def unmerge_customer_profile(self, customer_id: str, *, merge_id: str) -> Answer:
        """Undo merge `merge_id` this customer took part in."""
        body = {"merge_id": merge_id}
        return self._call("unmerge_customer_profile", path=_customer(customer_id), json=body)

    # The one place requests are made
    def _get(
        self, name: str, params: Mapping[str, Any], filters: Filters | None = None,
        *, path: Mapping[str, str] | None = None,
    ) -> Answer:  # fmt: skip
        query = {**params, **{f"filter[{k}]": v for k, v in (filters or {}).items()}}
        return self._call(name, params=query, path=path)

    def _call(
        self, name: str, *, params: Mapping[str, Any] | None = None,
        path: Mapping[str, str] | None = None, json: Any = None,
    ) -> Answer:  # fmt: skip
        endpoint = ENDPOINTS[name]
        url = endpoint.path.format_map({k: _segment(v) for k, v in (path or {}).items()})
        response = self._http.request(endpoint.method, url, params=params, json=json)
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> Answer:
        self.rate_limit = RateLimit.from_headers(response.headers)
        request_id = response.headers.get("x-request-id", "")
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_error:
            raise error_for(response.status_code, body, request_id, self.rate_limit)
        return Answer(body, response.status_code, request_id, self.rate_limit)


def _period(date_from: Day, date_to: Day, **options: Any) -> dict[str, Any]:
    return _clean(date_from=_day(date_from), date_to=_day(date_to), **options)


def _day(value: Day | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _clean(**params: Any) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


def _customer(customer_id: str) -> dict[str, str]:
    return {"customer_id": customer_id}


def _segment(value: str) -> str:
    """A path parameter, escaped so an id can never change the path."""
    return quote(value, safe="")
