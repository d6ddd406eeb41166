"""The docs are part of the product: these tests fail when the code and the docs disagree.

`docs/cli.md` is generated from the Typer app: run `.venv/bin/python tests/test_docs.py` to
rewrite it after changing a command.
"""

from __future__ import annotations

import inspect
import re
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click.core import Command, Parameter
from typer.core import TyperArgument, TyperGroup, TyperOption

from touchline.cli.main import app
from touchline.errors import TouchlineError
from touchline.ingest import protocol
from touchline.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CLI_DOC = DOCS / "cli.md"
CLI_HEADER = """# Command-line reference

Generated from the commands themselves (`.venv/bin/python tests/test_docs.py` rewrites it;
`tests/test_docs.py` fails when it is stale). Every command reads its settings from the
`TOUCHLINE_*` environment ([configuration](configuration.md)). Errors print
`error CODE: message` on stderr and exit with the error's status: 2 invalid input,
3 unauthorized, 4 not found, 5 conflict, 6 rate limited, 7 unavailable, 1 anything else.
Commands with `--json` print one JSON document on stdout; a secret shown once is its `key`.
"""


def commands(group: Command, path: tuple[str, ...]) -> Iterator[tuple[str, Command]]:
    if isinstance(group, TyperGroup):
        for name in sorted(group.commands):
            yield from commands(group.commands[name], (*path, name))
    else:
        yield " ".join(path), group


TYPE_NAMES: dict[object, str] = {str: "text", int: "integer", float: "number", Path: "path"}


def kind(param: Parameter) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    annotation: Any = param.type_descriptor.annotation  # type: ignore[attr-defined]
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    name = TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None or high is not None:
        name += f" ({low if low is not None else '…'} to {high if high is not None else '…'})"
    return f"{name}, repeatable" if param.multiple else name


def render_param(param: Parameter) -> str:
    text = str(getattr(param, "help", "") or "").replace("|", "\\|")
    if isinstance(param, TyperArgument):
        return f"| `{(param.name or '').upper()}` | {kind(param)} | yes | | {text} |"
    names = ", ".join(f"`{name}`" for name in (*param.opts, *param.secondary_opts))
    default = "" if param.required or param.default in (None, False) else f"`{param.default}`"
    return f"| {names} | {kind(param)} | {'yes' if param.required else ''} | {default} | {text} |"


def usage(path: str, command: Command) -> str:
    pieces = [path]
    if any(isinstance(p, TyperOption) for p in command.params):
        pieces.append("[OPTIONS]")
    pieces += [(p.name or "").upper() for p in command.params if isinstance(p, TyperArgument)]
    return " ".join(pieces)


def render_command(path: str, command: Command) -> str:
    lines = [f"## `{path}`", "", inspect.cleandoc(command.help or ""), ""]
    lines.append(f"Usage: `{usage(path, command)}`")
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if params:
        lines += ["", "| name | type | required | default | meaning |"]
        lines += ["| --- | --- | --- | --- | --- |", *(render_param(p) for p in params)]
    return "\n".join(lines)


def render_cli_reference() -> str:
    root = typer.main.get_command(app)
    sections = [render_command(path, command) for path, command in commands(root, ("touchline",))]
    return CLI_HEADER + "\n" + "\n\n".join(sections) + "\n"


def test_cli_reference_is_generated_from_the_commands() -> None:
    assert CLI_DOC.read_text() == render_cli_reference(), (
        "docs/cli.md is stale: run .venv/bin/python tests/test_docs.py"
    )


def test_every_cli_command_has_a_section_and_help() -> None:
    text = CLI_DOC.read_text()
    for path, command in commands(typer.main.get_command(app), ("touchline",)):
        assert f"## `{path}`" in text
        assert (command.help or "").strip(), f"{path} has no help text"


def configuration_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in (DOCS / "configuration.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`TOUCHLINE_"):
            rows[cells[0].strip("`")] = cells
    return rows


def documented_default(name: str) -> str:
    field = Settings.model_fields[name]
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if value in (None, "", []):
        return "(empty)"
    return f"`{value}`"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    rows = configuration_rows()
    env = f"TOUCHLINE_{name.upper()}"
    assert env in rows, f"{env} is not documented in docs/configuration.md"
    assert rows[env][1] == documented_default(name), f"{env}: default differs from the code"


def test_configuration_documents_no_setting_that_does_not_exist() -> None:
    known = {f"TOUCHLINE_{name.upper()}" for name in Settings.model_fields}
    assert set(configuration_rows()) <= known


PROTOCOL_LIMITS = (
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_URL_LENGTH",
    "MAX_STRING_LENGTH",
    "MAX_PAYLOAD_DEPTH",
    "MAX_PAYLOAD_KEYS",
    "MAX_PAYLOAD_BYTES",
    "MAX_EVENTS_HARD",
)


@pytest.mark.parametrize("limit", PROTOCOL_LIMITS)
def test_tracking_protocol_states_each_limit_with_its_value(limit: str) -> None:
    text = (DOCS / "tracking-protocol.md").read_text()
    value = getattr(protocol, limit)
    line = next((row for row in text.splitlines() if f"`{limit}`" in row), "")
    assert line, f"{limit} is not in docs/tracking-protocol.md"
    assert f"{value:,}" in line or str(value) in line, f"{limit}: the documented value differs"


def test_tracking_protocol_documents_every_event_type_and_field() -> None:
    text = (DOCS / "tracking-protocol.md").read_text()
    for event_type in protocol.EventType:
        assert f"`{event_type.value}`" in text
    for struct in (protocol.RawEvent, protocol.Identity, protocol.Revenue, protocol.Consent):
        for field in struct.__struct_fields__:
            assert f"`{field}`" in text, f"{struct.__name__}.{field} is not documented"


def test_tracking_protocol_documents_every_collect_error() -> None:
    text = (DOCS / "tracking-protocol.md").read_text()
    for code, status in (
        ("invalid_payload", 400),
        ("unauthorized", 401),
        ("payload_too_large", 413),
        ("rate_limit_exceeded", 429),
    ):
        assert re.search(rf"`{status}`.*`{code}`", text), f"{status} {code} not documented"


def test_error_codes_in_the_docs_exist() -> None:
    codes = {cls.code for cls in _subclasses(TouchlineError)} | {TouchlineError.code}
    text = (DOCS / "tracking-protocol.md").read_text()
    for code in re.findall(r'"code": "([a-z_]+)"', text):
        assert code in codes, f"tracking-protocol.md shows an unknown error code {code}"


def _subclasses(cls: type[TouchlineError]) -> Iterator[type[TouchlineError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_decisions_index_lists_every_decision() -> None:
    index = (DOCS / "decisions" / "README.md").read_text()
    for path in sorted((DOCS / "decisions").glob("[0-9][0-9][0-9][0-9]-*.md")):
        assert f"({path.name})" in index, f"decisions/README.md does not link {path.name}"


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_readme_names_the_two_commands_and_the_quickstart() -> None:
    text = (ROOT / "README.md").read_text()
    for needle in ("make demo", "make test", "/api/tracking/collect", "touchline stats"):
        assert needle in text


def test_deployment_gives_the_db_ip_attribution() -> None:
    assert "IP Geolocation by DB-IP" in (DOCS / "deployment.md").read_text()


def test_changelog_keeps_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "keepachangelog.com" in text
    assert "## [Unreleased]" in text


if __name__ == "__main__":
    CLI_DOC.write_text(render_cli_reference())
    sys.stdout.write(f"wrote {CLI_DOC}\n")
