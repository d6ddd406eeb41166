"""The Google Ads sync: the customer's campaigns, ad groups and ads (every status), then daily
metrics at campaign, ad-group and ad level, each level its own stream with its own cursor. A
stream's batches are pages; the cursor moves once a range of days is fully read."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Final

from touchline.connectors.ad_records import AdEntity
from touchline.connectors.base import Connection, HttpOptions, Page
from touchline.connectors.google_ads import mapping, queries
from touchline.connectors.google_ads.client import Customer, GoogleAdsClient, Row
from touchline.connectors.report_window import Reach, ReportWindow, resume
from touchline.domain.records import AdLevel
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)

REACH: Final = Reach(initial_days=90, lookback_days=7)
CHUNK_DAYS: Final = 31
ENTITY_STREAMS: Final[tuple[tuple[str, str, Callable[..., AdEntity]], ...]] = (
    ("campaigns", queries.CAMPAIGNS, mapping.campaign),
    ("ad_groups", queries.AD_GROUPS, mapping.ad_group),
    ("ads", queries.ADS, mapping.ad),
)
STREAM_NAMES: Final = {AdLevel.CAMPAIGN: "campaign", AdLevel.AD_SET: "ad_group", AdLevel.AD: "ad"}


def sync(connection: Connection, *, since: date | None, http: HttpOptions) -> Iterator[Page]:
    now = datetime.fromtimestamp(http.clock(), UTC)
    with GoogleAdsClient(connection, http) as client:
        customer = client.customer()
        for stream, query, to_entity in ENTITY_STREAMS:
            for batch in client.search_stream(query):
                entities = [to_entity(row, account_id=customer.customer_id) for row in batch]
                yield Page(stream, [e.record(at=now) for e in entities if e.entity_id])
        for level, name in STREAM_NAMES.items():
            stream = f"insights_{name}"
            window = resume(
                connection.cursors.get(stream), since=since, today=customer.today(now),
                reach=REACH,
            )  # fmt: skip
            yield from _metric_pages(client, customer, level, window, stream)


def _metric_pages(
    client: GoogleAdsClient, customer: Customer, level: AdLevel, window: ReportWindow,
    stream: str,
) -> Iterator[Page]:  # fmt: skip
    for first, last in window.chunks(CHUNK_DAYS):
        batches = client.search_stream(queries.daily_metrics(level, first, last)) or [[]]
        for index, batch in enumerate(batches, 1):
            done = window.after(last) if index == len(batches) else None
            yield Page(stream, _insight_events(batch, level, customer), done)


def _insight_events(rows: list[Row], level: AdLevel, customer: Customer) -> list[RawEvent]:
    events = []
    for row in rows:
        try:
            found = mapping.insight(
                row, level=level, account_id=customer.customer_id, currency=customer.currency
            )
        except (KeyError, ValueError, ArithmeticError) as error:
            log.warning("google_ads: skipped a metrics row of %s: %r", customer.customer_id, error)
            continue
        events.append(found.record())
    return events
