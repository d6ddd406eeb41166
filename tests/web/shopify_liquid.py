"""Shopify's Liquid as far as the theme app extension needs it: python-liquid with a `json`
filter (plain JSON: no HTML escaping assumed of Shopify's), the `{% schema %}` tag taken out
before rendering as Shopify does, and a block's settings starting from its schema's defaults.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from liquid import Environment, Undefined

SCHEMA_TAG = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.DOTALL)


def shopify_json(value: object) -> str:
    return "null" if isinstance(value, Undefined) else json.dumps(value)


ENVIRONMENT = Environment()
ENVIRONMENT.filters["json"] = shopify_json


def schema_of(block: str) -> dict[str, Any]:
    found = SCHEMA_TAG.search(block)
    assert found, "the block has no {% schema %}"
    schema: dict[str, Any] = json.loads(found.group(1))
    return schema


def default_settings(block: str) -> dict[str, object]:
    """The settings as Shopify gives them to a block the merchant has not edited."""
    return {setting["id"]: setting.get("default") for setting in schema_of(block)["settings"]}


def render_block(
    block: str, settings: Mapping[str, object] | None = None, cart: dict[str, Any] | None = None
) -> str:
    """The block as Shopify renders it into a page: `settings` change the defaults; `cart` is
    the shopper's cart (its `attributes`), none before the first cart request."""
    template = ENVIRONMENT.from_string(SCHEMA_TAG.sub("", block))
    context = {"block": {"settings": default_settings(block) | dict(settings or {})}}
    return template.render(**context, cart=cart or {"attributes": {}})
