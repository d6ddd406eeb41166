"""The tracker's build: its ES-module sources (`web/static/tracker/`) joined into the script-tag
bundle, the ES module and its CommonJS twin, compacted, versioned and source-mapped, and the
npm package (`@atribu/tracker`) made of them. Pure Python, deterministic, no Node
(docs/decisions/0901).

The sources follow three rules the build checks: imports are `import { a, b } from "./x.js";`
(one per module, at the top), top-level names are unique across modules, and comments are
whole `//` lines. Compaction drops comments, blank lines and indentation and keeps every other
line as it is, so line breaks (and automatic semicolon insertion) never change and the source
map is exact to the line. The script's first line is V8's compile hint (docs/decisions/0909).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import Final, Literal

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
# The npm package: the module, its CommonJS twin and the hand-written declarations.
DECLARATIONS: Final = "index.d.ts"
PACKAGE_NAME: Final = "@atribu/tracker"
PACKAGE_LICENSE: Final = "AGPL-3.0-or-later"
# What `npm pack` stamps on every entry (1985-10-26T08:15:00Z): a fixed date, so the same
# sources make the same bytes.
TARBALL_MTIME: Final = 499162500

_IMPORT = re.compile(r'import \{([^}]*)\} from "\./([\w-]+\.js)";')
_ENTRY_EXPORT = re.compile(r"^export (?:async )?(?:function|const|let|class) ([A-Za-z_$][\w$]*)")
_REEXPORT = re.compile(r"^export \{([^}]*)\};$")
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

    filename: str  # atribu-tracker.js, tracker.mjs, tracker.cjs
    versioned: str  # atribu-tracker.<version>.js
    text: str
    source_map: str

    @property
    def map_filename(self) -> str:
        return self.versioned + ".map"


@dataclass(frozen=True, slots=True)
class NpmPackage:
    """The `@atribu/tracker` package: its files (paths under `package/`) and their tarball."""

    filename: str  # tracker.tgz
    versioned: str  # tracker.<version>.tgz
    files: tuple[tuple[str, bytes], ...]
    tarball: bytes

    def file(self, name: str) -> bytes:
        return dict(self.files)[name]


@dataclass(frozen=True)
class Bundle:
    """The built files. The CommonJS build and the npm package are made on first use: every
    page loading the script would otherwise wait for them on the server's first request."""

    version: str
    script: Asset
    module: Asset
    source_dir: Path = SOURCE_DIR

    @cached_property
    def commonjs(self) -> Asset:
        return build_asset(
            MODULE_ENTRY, form="commonjs", version=self.version, source_dir=self.source_dir
        )

    @cached_property
    def package(self) -> NpmPackage:
        return build_package(self.version, self.module, self.commonjs, self.source_dir)


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

    def add_module(
        self, index: int, *, keep_exports: bool, version: str, drop_reexports: bool = False
    ) -> None:
        module = self.sources[index]
        for number, line in enumerate(module.text.split("\n")):
            code = line.strip()
            if number < module.body_start or not code or code.startswith("//"):
                continue
            if code.startswith("/*"):
                raise TrackerSourceError(f"{module.name}:{number + 1}: use // comments")
            if drop_reexports and _REEXPORT.match(line):
                continue
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
    """12 hex digits of the sources' SHA-256 (the modules and the package's declarations):
    changes exactly when a source does."""
    digest = hashlib.sha256()
    for path in sorted([*source_dir.glob("*.js"), *source_dir.glob("*.d.ts")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def entry_exports(entry: SourceModule) -> tuple[str, ...]:
    """The names an entry exports: `export function|const|let|class NAME` and `export { A, B };`
    lines, the only export forms the build understands."""
    names: list[str] = []
    for number, line in enumerate(entry.text.split("\n")):
        if not line.startswith("export "):
            continue
        declared, listed = _ENTRY_EXPORT.match(line), _REEXPORT.match(line.rstrip())
        if declared:
            names.append(declared.group(1))
        elif listed:
            names.extend(name.strip() for name in listed.group(1).split(",") if name.strip())
        else:
            raise TrackerSourceError(f"{entry.name}:{number + 1}: unsupported export: {line}")
    if len(set(names)) != len(names):
        raise TrackerSourceError(f"{entry.name} exports a name twice")
    return tuple(names)


Form = Literal["script", "module", "commonjs"]
_NAMES: Final[dict[str, tuple[str, str]]] = {
    "script": (SCRIPT_NAME, ".js"),
    "module": (MODULE_NAME, ".mjs"),
    "commonjs": (MODULE_NAME, ".cjs"),
}


def build_asset(entry: str, *, form: Form, version: str, source_dir: Path = SOURCE_DIR) -> Asset:
    """The script (an IIFE, no exports), the ES module (the entry's exports kept) or the
    CommonJS module (the same lines as the ES module without `export`, then the entry's
    exports assigned to `module.exports`)."""
    sources = module_order(entry, source_dir)
    writer = _Writer(sources=sources, lines=[], origins=[])
    if form == "script":
        writer.add(COMPILE_HINT)
        writer.add('(function () {"use strict";')
    if form == "commonjs":
        writer.add('"use strict";')  # an ES module's code is strict; a CommonJS file's is not
    for index, source in enumerate(sources):
        writer.add_module(
            index,
            keep_exports=form == "module" and source.name == entry,
            version=version,
            drop_reexports=form == "commonjs",
        )
    if form == "script":
        writer.add("})();")
    if form == "commonjs":
        writer.add(f"module.exports = {{ {', '.join(entry_exports(sources[-1]))} }};")
    base, suffix = _NAMES[form]
    versioned = f"{base}.{version}{suffix}"
    writer.add(f"//# sourceMappingURL={versioned}.map")
    text = "\n".join(writer.lines) + "\n"
    return Asset(base + suffix, versioned, text, writer.source_map(versioned))


def package_version(version: str) -> str:
    """The package's semver: the tracker has no release number of its own, only its sources'
    version, carried as a prerelease of 0.0.0 (one alphanumeric identifier, valid whatever
    the hex digits: `0.0.0-tracker-1a2b3c4d5e6f`)."""
    return f"0.0.0-tracker-{version}"


def package_json(version: str) -> str:
    document = {
        "name": PACKAGE_NAME,
        "version": package_version(version),
        "description": "Touchline's website tracker: the @atribu/tracker API, ESM and CommonJS.",
        "license": PACKAGE_LICENSE,
        "type": "module",
        "main": "./index.cjs",
        "module": "./index.mjs",
        "types": "./index.d.ts",
        "exports": {
            ".": {
                "import": {"types": "./index.d.ts", "default": "./index.mjs"},
                "require": {"types": "./index.d.cts", "default": "./index.cjs"},
            },
            "./package.json": "./package.json",
        },
        "sideEffects": False,
    }
    return json.dumps(document, indent=2) + "\n"


def package_readme(version: str) -> str:
    return f"""# @atribu/tracker (Touchline)

Touchline's website tracker, tracker version `{version}`, with the `@atribu/tracker` API:
install it from your Touchline server and keep your imports.

```bash
npm install https://YOUR-TOUCHLINE-HOST/tracker.tgz
```

```ts
import {{ init, track, identify }} from "@atribu/tracker";

init({{ trackingKey: "trk_live_…", apiHost: "https://YOUR-TOUCHLINE-HOST" }});
track("signed_up", {{ plan: "pro" }});
```

`index.mjs` (ES module), `index.cjs` (CommonJS) and their source maps are built from the same
sources; `index.d.ts` / `index.d.cts` declare the API. Without `window` (server rendering)
`init()` returns a client whose methods do nothing. Documentation: `docs/tracker.md` in
Touchline. License: {PACKAGE_LICENSE}.
"""


def tarball(files: dict[str, bytes]) -> bytes:
    """npm's layout (every file under `package/`), entries sorted, one fixed date, owner and
    mode, gzip without a timestamp or name: the same files make the same bytes."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name in sorted(files):
            info = tarfile.TarInfo(f"package/{name}")
            info.size, info.mtime, info.mode = len(files[name]), TARBALL_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            archive.addfile(info, io.BytesIO(files[name]))
    return gzip.compress(out.getvalue(), compresslevel=9, mtime=0)


def license_text() -> str:
    """Touchline's license, shipped in the package as npm ships a project's: from a checkout's
    LICENSE (beside its pyproject.toml, so an installed copy never picks up a stranger's),
    else from the installed distribution's metadata."""
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file() and (root / "LICENSE").is_file():
        return (root / "LICENSE").read_text(encoding="utf-8")
    for name in ("licenses/LICENSE", "LICENSE"):
        try:
            found = metadata.distribution("touchline").read_text(name)
        except metadata.PackageNotFoundError:
            break
        if found:
            return found
    raise FileNotFoundError("Touchline's LICENSE is neither in the checkout nor installed")


def build_package(
    version: str, module: Asset, commonjs: Asset, source_dir: Path = SOURCE_DIR
) -> NpmPackage:
    declarations = (source_dir / DECLARATIONS).read_text(encoding="utf-8")
    texts = {
        "package.json": package_json(version),
        "README.md": package_readme(version),
        "LICENSE": license_text(),
        # The files as served: their last lines name the maps shipped beside them.
        "index.mjs": module.text,
        module.map_filename: module.source_map,
        "index.cjs": commonjs.text,
        commonjs.map_filename: commonjs.source_map,
        # The same declarations for `require` (a .d.cts: CommonJS to TypeScript).
        "index.d.ts": declarations,
        "index.d.cts": declarations,
    }
    files = {name: text.encode("utf-8") for name, text in texts.items()}
    return NpmPackage(
        filename=f"{MODULE_NAME}.tgz",
        versioned=f"{MODULE_NAME}.{version}.tgz",
        files=tuple(sorted(files.items())),
        tarball=tarball(files),
    )


def build_bundle(source_dir: Path = SOURCE_DIR) -> Bundle:
    version = source_version(source_dir)
    entry_exports(read_module(MODULE_ENTRY, source_dir))  # refuses what CommonJS cannot carry
    return Bundle(
        version=version,
        script=build_asset(SCRIPT_ENTRY, form="script", version=version, source_dir=source_dir),
        module=build_asset(MODULE_ENTRY, form="module", version=version, source_dir=source_dir),
        source_dir=source_dir,
    )


@cache
def current_bundle() -> Bundle:
    """The bundle of the installed sources, built once per process."""
    return build_bundle()
