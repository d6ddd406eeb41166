"""The tracker's build: its ES-module sources (`web/static/tracker/`) joined into the script-tag
bundle and the ES module, compacted, versioned and source-mapped. Pure Python, deterministic,
no Node (docs/decisions/0901).

The sources follow three rules the build checks: imports are `import { a, b } from "./x.js";`
(one per module, at the top), top-level names are unique across modules, and comments are
whole `//` lines. Compaction drops comments, blank lines and indentation and keeps every other
line as it is, so line breaks (and automatic semicolon insertion) never change and the source
map is exact to the line. The script's first line is V8's compile hint (docs/decisions/0909).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

SOURCE_DIR: Final = Path(__file__).parent / "static" / "tracker"
SCRIPT_ENTRY: Final = "script.js"
MODULE_ENTRY: Final = "module.js"
VERSION_MARK: Final = "__TRACKER_VERSION__"
SCRIPT_NAME: Final = "atribu-tracker"
# V8's explicit compile hint (docs/decisions/0909): compile every function eagerly, which for
# a streamed `<script src>` happens off the main thread, instead of lazily on it when init,
# the start task and the first page view first call them. A comment to any other engine.
COMPILE_HINT: Final = "//# allFunctionsCalledOnLoad"
MODULE_NAME: Final = "tracker"

_IMPORT = re.compile(r'import \{([^}]*)\} from "\./([\w-]+\.js)";')
_DECLARATION = re.compile(
    r"^(?:export )?(?:async )?(?:function\*?|const|let|var|class) ([A-Za-z_$][\w$]*)", re.M
)
_BASE64: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class TrackerSourceError(ValueError):
    """A tracker source breaks one of the build's rules."""


@dataclass(frozen=True, slots=True)
class SourceModule:
    name: str
    text: str
    imports: dict[str, tuple[str, ...]]  # module → names it takes from it
    body_start: int  # index of the first line after the imports


@dataclass(frozen=True, slots=True)
class Asset:
    """One built file: its text, its source map, and the URLs both are served at."""

    filename: str  # atribu-tracker.js, tracker.mjs
    versioned: str  # atribu-tracker.<version>.js
    text: str
    source_map: str

    @property
    def map_filename(self) -> str:
        return self.versioned + ".map"


@dataclass(frozen=True, slots=True)
class Bundle:
    version: str
    script: Asset
    module: Asset


def read_module(name: str, source_dir: Path = SOURCE_DIR) -> SourceModule:
    text = (source_dir / name).read_text(encoding="utf-8")
    lines = text.split("\n")
    imports: dict[str, tuple[str, ...]] = {}
    index = 0
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith("//")):
        index += 1
    while index < len(lines) and lines[index].startswith("import "):
        end = index
        while not lines[end].rstrip().endswith(";"):
            end += 1
        statement = " ".join(line.strip() for line in lines[index : end + 1])
        match = _IMPORT.fullmatch(statement.replace("{ ", "{").replace(", }", "}"))
        if match is None:
            raise TrackerSourceError(f"{name}:{index + 1}: unsupported import: {statement}")
        names = tuple(part.strip() for part in match.group(1).split(",") if part.strip())
        imports[match.group(2)] = names
        index = end + 1
        while index < len(lines) and not lines[index].strip():
            index += 1
    return SourceModule(name=name, text=text, imports=imports, body_start=index)


def module_order(entry: str, source_dir: Path = SOURCE_DIR) -> list[SourceModule]:
    """The entry's modules, each after everything it imports."""
    ordered: list[SourceModule] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(module.name == name for module in ordered):
            return
        if name in visiting:
            raise TrackerSourceError(f"import cycle through {name}")
        visiting.add(name)
        module = read_module(name, source_dir)
        for dependency in module.imports:
            visit(dependency)
        ordered.append(module)

    visit(entry)
    check_names(ordered)
    return ordered


def check_names(modules: list[SourceModule]) -> None:
    """Imports name exported declarations, and no top-level name is declared twice."""
    declared: dict[str, str] = {}
    for module in modules:
        for name in _DECLARATION.findall(module.text):
            if name in declared:
                raise TrackerSourceError(
                    f"{name} is declared in {declared[name]} and {module.name}"
                )
            declared[name] = module.name
    for module in modules:
        for dependency, names in module.imports.items():
            text = next(m.text for m in modules if m.name == dependency)
            for name in names:
                if not re.search(
                    rf"^export (?:async )?(?:function|const|let|class) {name}\b", text, re.M
                ):
                    raise TrackerSourceError(
                        f"{module.name} imports {name}, not exported by {dependency}"
                    )


def vlq(value: int) -> str:
    """One source-map number in base64 VLQ."""
    bits = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit, bits = bits & 31, bits >> 5
        out += _BASE64[digit | (32 if bits else 0)]
        if not bits:
            return out


@dataclass(slots=True)
class _Writer:
    """Generated lines and, for each, the (module, line, column) it came from."""

    sources: list[SourceModule]
    lines: list[str]
    origins: list[tuple[int, int, int] | None]

    def add(self, line: str, origin: tuple[int, int, int] | None = None) -> None:
        self.lines.append(line)
        self.origins.append(origin)

    def add_module(self, index: int, *, keep_exports: bool, version: str) -> None:
        module = self.sources[index]
        for number, line in enumerate(module.text.split("\n")):
            code = line.strip()
            if number < module.body_start or not code or code.startswith("//"):
                continue
            if code.startswith("/*"):
                raise TrackerSourceError(f"{module.name}:{number + 1}: use // comments")
            if not keep_exports and line.startswith("export "):
                code = code.removeprefix("export ")
            indent = len(line) - len(line.lstrip())
            self.add(code.replace(VERSION_MARK, version), (index, number, indent))

    def source_map(self, filename: str) -> str:
        segments: list[str] = []
        previous = (0, 0, 0)
        for origin in self.origins:
            if origin is None:
                segments.append("")
                continue
            deltas = (origin[0] - previous[0], origin[1] - previous[1], origin[2] - previous[2])
            segments.append("A" + "".join(vlq(delta) for delta in deltas))
            previous = origin
        document = {
            "version": 3,
            "file": filename,
            "sources": [f"{SCRIPT_NAME}/{module.name}" for module in self.sources],
            "sourcesContent": [module.text for module in self.sources],
            "names": [],
            "mappings": ";".join(segments),
        }
        return json.dumps(document, separators=(",", ":"))


def source_version(source_dir: Path = SOURCE_DIR) -> str:
    """12 hex digits of the sources' SHA-256: changes exactly when a source does."""
    digest = hashlib.sha256()
    for path in sorted(source_dir.glob("*.js")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def build_asset(entry: str, *, module: bool, version: str, source_dir: Path = SOURCE_DIR) -> Asset:
    sources = module_order(entry, source_dir)
    writer = _Writer(sources=sources, lines=[], origins=[])
    if not module:
        writer.add(COMPILE_HINT)
        writer.add('(function () {"use strict";')
    for index, source in enumerate(sources):
        writer.add_module(index, keep_exports=module and source.name == entry, version=version)
    if not module:
        writer.add("})();")
    base, suffix = (MODULE_NAME, ".mjs") if module else (SCRIPT_NAME, ".js")
    versioned = f"{base}.{version}{suffix}"
    writer.add(f"//# sourceMappingURL={versioned}.map")
    text = "\n".join(writer.lines) + "\n"
    return Asset(base + suffix, versioned, text, writer.source_map(versioned))


def build_bundle(source_dir: Path = SOURCE_DIR) -> Bundle:
    version = source_version(source_dir)
    return Bundle(
        version=version,
        script=build_asset(SCRIPT_ENTRY, module=False, version=version, source_dir=source_dir),
        module=build_asset(MODULE_ENTRY, module=True, version=version, source_dir=source_dir),
    )


@cache
def current_bundle() -> Bundle:
    """The bundle of the installed sources, built once per process."""
    return build_bundle()
