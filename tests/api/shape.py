"""Does an answer have the shape a documented example shows? Every documented field is there
with a value of the same JSON type (or null); extra fields are allowed; a list's items carry
the fields all documented items share; maps keyed by data (URLs) only type their values."""

from __future__ import annotations

import re
from typing import Any, Final

FIELD_NAME: Final = re.compile(r"^[a-z_][a-z0-9_]*$")
ELLIPSIS: Final = "..."  # `"previous": { "..." : "..." }`: the rest left out on purpose
SAMPLED_ITEMS: Final = 20


def mismatches(documented: Any, actual: Any, where: str = "$") -> list[str]:
    """What in `actual` departs from the documented example (empty when it conforms)."""
    if documented is None or documented == ELLIPSIS or actual is None:
        return []
    if isinstance(documented, dict):
        return _object(documented, actual, where)
    if isinstance(documented, list):
        return _list(documented, actual, where)
    if _json_type(documented) != _json_type(actual):
        return [f"{where}: documented {_json_type(documented)}, got {actual!r}"]
    return []


def _object(documented: dict[str, Any], actual: Any, where: str) -> list[str]:
    if not isinstance(actual, dict):
        return [f"{where}: documented an object, got {actual!r:.80}"]
    if ELLIPSIS in documented:
        return []
    if documented and not all(FIELD_NAME.match(key) for key in documented):
        sample = next(iter(documented.values()))  # a map: URL → count
        return [p for key, value in actual.items() for p in mismatches(sample, value, where)]
    problems = [f"{where}.{key}: missing" for key in documented if key not in actual]
    for key, value in documented.items():
        if key in actual:
            problems += mismatches(value, actual[key], f"{where}.{key}")
    return problems


def _list(documented: list[Any], actual: Any, where: str) -> list[str]:
    if not isinstance(actual, list):
        return [f"{where}: documented a list, got {actual!r:.80}"]
    if not documented:
        return []
    item = _shared(documented)
    problems: list[str] = []
    for index, value in enumerate(actual[:SAMPLED_ITEMS]):
        problems += mismatches(item, value, f"{where}[{index}]")
    return problems


def _shared(items: list[Any]) -> Any:
    """The fields every documented item has (the first item's values), or the first item."""
    if not all(isinstance(item, dict) for item in items):
        return items[0]
    common = set.intersection(*(set(item) for item in items))
    return {key: value for key, value in items[0].items() if key in common}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"
