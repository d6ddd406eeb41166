"""The request examples of the spec's API pages, each with the response it documents: Python
and cURL from `atribu-docs.en.md` (fenced blocks) and the two text pages (labelled blocks),
raw HTTP from the AttributionHub page (numbered lines). `/top-performers` has its own issue."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
# The spec lives in the project's shared/ folder, beside the clone (or a worktree's parent);
# a clean clone without it reads the copies kept in tests/fixtures/spec.
SPEC: Final = next(
    (p / "shared" / "spec" for p in ROOT.parents if (p / "shared" / "spec").is_dir()),
    ROOT / "tests" / "fixtures" / "spec",
)
PAGES: Final = (
    "atribu-docs.en.md",
    "atribu-customers-and-journey.txt",
    "atribu-campaigns-and-top-performers.txt",
    "peer-attributionhub-contacts.txt",
    "peer-customers-api.txt",
)
EXCLUDED_PATHS: Final = ("/api/v1/top-performers",)
ALIASES: Final = {"/api/v1/timelines": "/api/v1/contacts"}  # CHECKLIST §9 #57
PATH: Final = re.compile(r"/api/v1/[\w/{}-]*[\w}]")
# A line that can continue Python code in the text pages (prose lines start with a capital).
CODE_LINE: Final = re.compile(r"^(\s|$|[a-z_#)\]}]|import |from )")


class Kind(StrEnum):
    PYTHON = "python"
    CURL = "curl"
    HTTP = "http"


@dataclass(frozen=True)
class Block:
    """A piece of a page: an example (python, curl, http), a JSON response, or a boundary."""

    kind: str
    line: int
    text: str


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    kind: Kind
    code: str
    documented: Any = field(compare=False)

    @property
    def path(self) -> str:
        found = PATH.search(self.code)
        return found.group(0) if found else ""

    @property
    def endpoint(self) -> str:
        return ALIASES.get(self.path, self.path)

    @property
    def id(self) -> str:
        return f"{self.page.split('.')[0]}:{self.line}:{self.kind}:{self.path}"


def examples(spec: Path = SPEC) -> list[Example]:
    """Every example of every page, in page order."""
    found: list[Example] = []
    for page in PAGES:
        text = (spec / page).read_text(encoding="utf-8")
        blocks = list(_fenced(text) if page.endswith(".md") else _labelled(text))
        found += _examples(page, blocks)
    return _documented_by_path(found)


def _examples(page: str, blocks: list[Block]) -> Iterator[Example]:
    for index, block in enumerate(blocks):
        if block.kind not in set(Kind) or "/api/v1/" not in block.text:
            continue
        if block.kind == Kind.HTTP and "{" not in block.text:
            continue  # the page's request template, not an example: it has no body
        example = Example(page, block.line, Kind(block.kind), block.text, _own(blocks, index))
        if example.path not in EXCLUDED_PATHS:
            yield example


def _own(blocks: list[Block], index: int) -> Any:
    """The first response after the example, unless another example of its kind or a page
    boundary comes first; then the last response before it on the same page section."""
    kind = blocks[index].kind
    for block in blocks[index + 1 :]:
        if block.kind in (kind, "boundary"):
            break
        if block.kind == "json":
            return json.loads(block.text)
    for block in reversed(blocks[:index]):
        if block.kind == "boundary":
            break
        if block.kind == "json":
            return {"_preceding": json.loads(block.text)}
    return None


def _documented_by_path(found: list[Example]) -> list[Example]:
    """An example with no response of its own takes that of an example of the same endpoint
    (its own page first), else the section's preceding one (the seven breakdowns share one)."""
    own = [e for e in found if e.documented is not None and "_preceding" not in e.documented]
    result = []
    for example in found:
        documented = example.documented
        if documented is None or "_preceding" in documented:
            same = [e for e in own if e.endpoint == example.endpoint]
            same.sort(key=lambda e: e.page != example.page)
            if same:
                documented = same[0].documented
            elif documented is not None:
                documented = documented["_preceding"]
        result.append(Example(example.page, example.line, example.kind, example.code, documented))
    return result


def _fenced(text: str) -> Iterator[Block]:
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        if line.startswith("# ") or line.strip() == "---":
            yield Block("boundary", number + 1, line)
        elif line.startswith("```"):
            end = next(i for i in range(number + 1, len(lines)) if lines[i].startswith("```"))
            body = "\n".join(lines[number + 1 : end])
            yield Block(_fence_kind(line, body), number + 1, body)
            number = end
        number += 1


def _fence_kind(fence: str, body: str) -> str:
    language = fence[3:].split(" ", 1)[0]
    if language == "bash" and body.lstrip().startswith("curl "):
        return Kind.CURL
    return {"python": Kind.PYTHON, "json": "json"}.get(language, "other")


def _labelled(text: str) -> Iterator[Block]:
    """The text pages: `Python…` / `cURL…` labels before code, `Success response (200 OK)`
    before JSON, `Endpoint` between sections, numbered `1POST …` / `1{` blocks (AttributionHub)."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        following = lines[number + 1 :]
        if line == "Endpoint":
            yield Block("boundary", number + 1, line)
        elif line.startswith("Python"):
            yield Block(Kind.PYTHON, number + 2, _python(following))
        elif line.startswith("cURL"):
            yield Block(Kind.CURL, number + 2, _continued(following))
        elif line.startswith("Success response"):
            yield Block("json", number + 2, _json(following))
        elif re.match(r"^1(POST|GET) /api/v1/", line):
            yield Block(Kind.HTTP, number + 1, _numbered(lines[number:]))
        elif line == "1{":
            yield Block("json", number + 1, _numbered(lines[number:]))


def _python(lines: list[str]) -> str:
    taken: list[str] = []
    for line in lines:
        if not CODE_LINE.match(line):
            break
        taken.append(line)
    return "\n".join(taken).strip() + "\n"


def _continued(lines: list[str]) -> str:
    taken = [lines[0]]
    for line in lines[1:]:
        if not taken[-1].rstrip().endswith("\\"):
            break
        taken.append(line)
    return "\n".join(taken)


def _json(lines: list[str]) -> str:
    for end in range(1, len(lines) + 1):
        candidate = "\n".join(lines[:end])
        try:
            json.loads(candidate)
        except ValueError:
            continue
        return candidate
    raise ValueError("a documented response that never parses")


def _numbered(lines: list[str]) -> str:
    """Lines `1…`, `2…`, … with their numbers taken off, up to the first that breaks the count."""
    taken: list[str] = []
    for count, line in enumerate(lines, 1):
        if not line.startswith(str(count)):
            break
        taken.append(line[len(str(count)) :])
    return "\n".join(taken)
