"""Which connectors exist: each provider package exports `SPEC`, imported on first use."""

from __future__ import annotations

import importlib
from functools import cache

from touchline.connectors.base import ConnectorSpec, FileImporter, Provider
from touchline.errors import InvalidParameter


@cache
def spec(provider: str) -> ConnectorSpec:
    """The provider's spec; `InvalidParameter` names the known providers otherwise."""
    try:
        known = Provider(provider)
    except ValueError:
        raise InvalidParameter(
            f"unknown provider {provider!r}; known: {', '.join(p.value for p in Provider)}",
            parameter="provider",
        ) from None
    name = f"touchline.connectors.{known.value}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise InvalidParameter(
            f"the {provider} connector is not available", parameter="provider"
        ) from None
    found = getattr(module, "SPEC", None)
    if not isinstance(found, ConnectorSpec):
        raise InvalidParameter(f"the {provider} connector is not available", parameter="provider")
    return found


def available() -> list[ConnectorSpec]:
    """Every provider whose package is installed, in `Provider` order."""
    out = []
    for provider in Provider:
        try:
            out.append(spec(provider.value))
        except InvalidParameter:
            continue
    return out


def importer(kind: str) -> tuple[ConnectorSpec, FileImporter]:
    """The connector and file importer behind `touchline import KIND`."""
    for found in available():
        if kind in found.importers:
            return found, found.importers[kind]
    kinds = sorted(k for found in available() for k in found.importers)
    raise InvalidParameter(f"unknown import kind {kind!r}; known: {', '.join(kinds)}")
