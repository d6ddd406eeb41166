"""`make bench`: runs every `bench/t*.py` module's `run(quick=…, large=…)` and prints each
Result with its target and ratio. `--only T1,T5` picks benchmarks; `--large` adds 100M sizes."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

from bench.result import Result

BENCH_DIR = Path(__file__).resolve().parent


def modules() -> list[str]:
    """`bench.t1_collect`, `bench.t3_loader`, … in benchmark order (T2 before T10)."""
    names = [path.stem for path in BENCH_DIR.glob("t[0-9]*.py")]
    return [f"bench.{name}" for name in sorted(names, key=lambda n: (number_of(n), n))]


def number_of(name: str) -> int:
    digits = "".join(ch for ch in name[1:].split("_")[0] if ch.isdigit())
    return int(digits or 0)


def covers(module: ModuleType) -> tuple[str, ...]:
    """The benchmark ids a module reports: its `COVERS`, else `T<n>` from its file name."""
    declared = getattr(module, "COVERS", None)
    if declared:
        return tuple(str(tag).upper() for tag in declared)
    return (module.__name__.rsplit(".", 1)[-1].split("_")[0].upper(),)


def wanted(module: ModuleType, only: set[str]) -> bool:
    return not only or bool(only & set(covers(module)))


def run_module(module: ModuleType, *, quick: bool, large: bool) -> Iterable[Result]:
    results: Iterable[Result] = module.run(quick=quick, large=large)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="Comma-separated ids, e.g. T1,T5.")
    parser.add_argument("--large", action="store_true", help="Include the 100M-event sizes.")
    parser.add_argument("--quick", action="store_true", help="Short runs (a smoke test).")
    args = parser.parse_args(argv)
    only = {tag.strip().upper() for tag in args.only.split(",") if tag.strip()}
    met = missed = failed = 0
    for name in modules():
        module = importlib.import_module(name)
        if not wanted(module, only):
            continue
        started = time.perf_counter()
        try:
            for result in run_module(module, quick=args.quick, large=args.large):
                print(result.line(), flush=True)
                met, missed = met + result.met, missed + (not result.met)
        except Exception:
            failed += 1
            print(f"{name} FAILED:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        print(f"  ({name} took {time.perf_counter() - started:.0f} s)", flush=True)
    print(f"{met} met, {missed} missed, {failed} benchmark modules failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
