"""The Meta sync: the account's campaigns, ad sets and ads (every status), then daily insights
at campaign, ad-set and ad level, each level its own stream with its own cursor. Every level
is asked of Meta rather than summed from ads, so each row's reach is Meta's own."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Final

import orjson

from touchline.connectors.ad_records import AdEntity
from touchline.connectors.base import Connection, HttpOptions, Page
from touchline.connectors.meta import mapping
from touchline.connectors.meta.client import AdAccount, MetaClient, Row
from touchline.connectors.report_window import Reach, ReportWindow, resume
from touchline.ingest.protocol import RawEvent

log = logging.getLogger(__name__)

REACH: Final = Reach(initial_days=90, lookback_days=7)
CHUNK_DAYS: Final = 31  # smaller asks than Meta's "reduce the amount of data" threshold
STATUSES: Final = (
    "ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "IN_PROCESS", "WITH_ISSUES", "CAMPAIGN_PAUSED",
    "ADSET_PAUSED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
)  # fmt: skip
CAMPAIGN_FIELDS: Final = (
    "id,name,status,effective_status,objective,daily_budget,lifetime_budget,bid_strategy,"
    "buying_type,start_time,stop_time"
)
AD_SET_FIELDS: Final = (
    "id,name,campaign_id,status,effective_status,daily_budget,lifetime_budget,"
    "optimization_goal,billing_event,bid_strategy,start_time,end_time,targeting"
)
AD_FIELDS: Final = (
    "id,name,campaign_id,adset_id,status,effective_status,"
    "creative{id,title,body,thumbnail_url,image_url,video_id,object_story_spec}"
)
INSIGHT_FIELDS: Final = (
    "account_id,account_currency,campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,"
    "spend,impressions,clicks,inline_link_clicks,reach,frequency,actions,video_play_actions,"
    "video_p25_watched_actions,video_p50_watched_actions,video_p75_watched_actions,"
    "video_p100_watched_actions,video_thruplay_watched_actions,video_avg_time_watched_actions,"
    "date_start,date_stop"
)
INSIGHT_LEVELS: Final = ("campaign", "adset", "ad")

EntityMapper = Callable[[Row, AdAccount], AdEntity]
ENTITY_EDGES: Final[tuple[tuple[str, str, EntityMapper], ...]] = (
    ("campaigns", CAMPAIGN_FIELDS,
     lambda o, a: mapping.campaign(o, account_id=a.account_id, currency=a.currency)),
    ("adsets", AD_SET_FIELDS,
     lambda o, a: mapping.ad_set(o, account_id=a.account_id, currency=a.currency)),
    ("ads", AD_FIELDS, lambda o, a: mapping.ad(o, account_id=a.account_id)),
)  # fmt: skip


def sync(connection: Connection, *, since: date | None, http: HttpOptions) -> Iterator[Page]:
    """Entities first (a page at a time, re-read in full each run: unchanged ones are
    no-ops), then each insights level from its cursor."""
    now = datetime.fromtimestamp(http.clock(), UTC)
    with MetaClient(connection, http) as client:
        account = client.account()
        for edge, fields, to_entity in ENTITY_EDGES:
            yield from _entity_pages(client, account, edge, fields, to_entity, now)
        for level in INSIGHT_LEVELS:
            stream = f"insights_{level}"
            window = resume(
                connection.cursors.get(stream), since=since, today=account.today(now), reach=REACH
            )
            yield from _insight_pages(client, account, level, window, stream)


def _entity_pages(
    client: MetaClient, account: AdAccount, edge: str, fields: str, to_entity: EntityMapper,
    now: datetime,
) -> Iterator[Page]:  # fmt: skip
    params = {"fields": fields, "effective_status": orjson.dumps(STATUSES).decode()}
    position = ""
    while True:
        objects, position = client.page(edge, params, position)
        events = [to_entity(obj, account).record(at=now) for obj in objects if obj.get("id")]
        yield Page(edge, events)
        if not position:
            return


def _insight_pages(
    client: MetaClient, account: AdAccount, level: str, window: ReportWindow, stream: str
) -> Iterator[Page]:
    for first, last in window.chunks(CHUNK_DAYS):
        position = window.position if first == window.start else ""
        while True:
            rows, position = client.page("insights", _insight_params(level, first, last), position)
            events = _insight_events(rows, level, account)
            cursor = window.at(first, position) if position else window.after(last)
            yield Page(stream, events, cursor)
            if not position:
                break


def _insight_params(level: str, first: date, last: date) -> dict[str, str]:
    return {
        "level": level,
        "time_increment": "1",
        "time_range": orjson.dumps(
            {"since": first.isoformat(), "until": last.isoformat()}
        ).decode(),
        "fields": INSIGHT_FIELDS,
        "use_unified_attribution_setting": "true",  # numbers as Ads Manager shows them
    }


def _insight_events(rows: list[Row], level: str, account: AdAccount) -> list[RawEvent]:
    events = []
    for row in rows:
        try:
            found = mapping.insight(
                row, level=mapping.LEVELS[level], account_id=account.account_id,
                currency=account.currency,
            )  # fmt: skip
        except (KeyError, ValueError, ArithmeticError) as error:
            log.warning("meta: skipped an insights row of %s: %r", account.account_id, error)
            continue
        events.append(found.record())
    return events
