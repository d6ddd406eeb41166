"""Internal ids of ad entities (the API's `campaign_id` and `entity_id`): a stable UUID per
profile, level and entity key, so an id of one profile never names another's entity
(docs/decisions/0961)."""

from __future__ import annotations

import uuid
from typing import Final

# uuid5(NAMESPACE_URL, "touchline:ad-entities"): changing it would change every id.
NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "touchline:ad-entities")


def internal_id(*, profile_id: str, level: str, key: str) -> str:
    """The id of the attribution row `key` (a platform's entity id, or the `utm_campaign` of a
    campaign no platform reported) at `level`: the same in every process and release."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join((profile_id, level, key))))
