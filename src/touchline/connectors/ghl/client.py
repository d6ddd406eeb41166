"""The GoHighLevel API v2 client (`services.leadconnectorhq.com`, `Authorization: Bearer`,
`Version: 2021-07-28`) for one location: contacts and opportunities paged by
`startAfter`/`startAfterId`, pipelines, calendars and their events, the location itself.
Retries, 429 `Retry-After` and expired tokens are `ApiClient`'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from touchline.connectors.base import Connection, HttpOptions, ProviderError
from touchline.connectors.ghl.payloads import (
    Calendar,
    CalendarEvent,
    Contact,
    Location,
    Opportunity,
    PageMeta,
    Pipeline,
)
from touchline.connectors.http import ApiClient

BASE_URL: Final = "https://services.leadconnectorhq.com"
API_VERSION: Final = "2021-07-28"
CALENDAR_API_VERSION: Final = "2021-04-15"  # what /calendars/events documents
PAGE_SIZE: Final = 100  # GHL's maximum for contacts and opportunity search
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a list resumes: GHL wants both halves of its cursor together."""

    start_after: str
    start_after_id: str

    def params(self) -> dict[str, str]:
        return {"startAfter": self.start_after, "startAfterId": self.start_after_id}


class GhlClient:
    """One location's API; `connection.config["api_base"]` replaces the base URL."""

    def __init__(self, connection: Connection, http: HttpOptions) -> None:
        self.location_id = connection.config.get("location_id", "")
        token = connection.secret("access_token")
        self.api = ApiClient(
            connection.config.get("api_base") or BASE_URL,
            headers={"Authorization": f"Bearer {token}", "Version": API_VERSION},
            http=http,
        )

    def __enter__(self) -> GhlClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.api.close()

    def contacts(self, after: Position | None) -> tuple[list[Contact], Position | None]:
        body = self._get("/contacts/", {"locationId": self.location_id, "limit": PAGE_SIZE,
                                        **_after(after)})  # fmt: skip
        return _items(body, "contacts", Contact), _next(body)

    def opportunities(self, after: Position | None) -> tuple[list[Opportunity], Position | None]:
        # This search spells its filters in snake case (camelCase is refused with a 422).
        body = self._get("/opportunities/search", {"location_id": self.location_id,
                         "status": "all", "limit": PAGE_SIZE, **_after(after)})  # fmt: skip
        return _items(body, "opportunities", Opportunity), _next(body)

    def pipelines(self) -> list[Pipeline]:
        body = self._get("/opportunities/pipelines", {"locationId": self.location_id})
        return _items(body, "pipelines", Pipeline)

    def calendars(self) -> list[Calendar]:
        return _items(self._get("/calendars/", {"locationId": self.location_id}), "calendars",
                      Calendar)  # fmt: skip

    def calendar_events(
        self, calendar_id: str, *, start_ms: int, end_ms: int
    ) -> list[CalendarEvent]:
        """A calendar's appointments starting in [start, end) (epoch milliseconds)."""
        params = {"locationId": self.location_id, "calendarId": calendar_id,
                  "startTime": start_ms, "endTime": end_ms}  # fmt: skip
        body = self._get("/calendars/events", params, version=CALENDAR_API_VERSION)
        return _items(body, "events", CalendarEvent)

    def location(self) -> Location:
        body = self._get(f"/locations/{self.location_id}", {})
        found = body.get("location") if isinstance(body, dict) else None
        return _one(Location, found if isinstance(found, dict) else {})

    def _get(self, path: str, params: dict[str, Any], *, version: str = API_VERSION) -> Any:
        response = self.api.request("GET", path, params=params, headers={"Version": version})
        try:
            return response.json()
        except ValueError:
            raise ProviderError(f"GoHighLevel answered {path} with a non-JSON body") from None


def _after(position: Position | None) -> dict[str, str]:
    return position.params() if position is not None else {}


def _items(body: Any, key: str, model: type[Model]) -> list[Model]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise ProviderError(f"GoHighLevel answered without a {key} list")
    return [_one(model, item) for item in body[key]]


def _one(model: type[Model], value: Any) -> Model:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        where = ".".join(str(part) for part in error.errors()[0]["loc"])
        raise ProviderError(f"GoHighLevel sent an unreadable {model.__name__}: {where}") from None


def _next(body: dict[str, Any]) -> Position | None:
    """The next page's position; None after the last page (no next page URL)."""
    meta = _one(PageMeta, body.get("meta") or {})
    if not (meta.next_page_url and meta.start_after and meta.start_after_id):
        return None
    return Position(meta.start_after, meta.start_after_id)
