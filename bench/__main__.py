"""`python -m bench` (`make bench`): every benchmark suite, or the ones named.

    python -m bench                  # every suite, default sizes
    python -m bench pages --scale 100000
    python -m bench imports --rows 100000

Each suite is a module of this package with `main(argv) -> int`; it builds its own throwaway
databases and prints its figures as ratios against a baseline measured in the same run
(docs/benchmarks.md). Arguments after the suite name go to that suite.
"""

from __future__ import annotations

import importlib
import sys

# Suite name -> module. Add a line here when a module gains a benchmark.
SUITES = {
    "pages": "bench.pages",
    "imports": "bench.imports",
    "openrosa": "bench.openrosa",
    "cases": "bench.cases",
    "reports": "bench.reports",
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("suites:", ", ".join(SUITES))
        return 0
    if argv and argv[0] in SUITES:
        return _run(argv[0], argv[1:])
    if argv:
        print(f"unknown suite {argv[0]!r}; choose from: {', '.join(SUITES)}", file=sys.stderr)
        return 2
    failures = 0
    for name in SUITES:
        failures += _run(name, []) != 0
    return 1 if failures else 0


def _run(name: str, argv: list[str]) -> int:
    print(f"\n#### bench suite: {name}")
    module = importlib.import_module(SUITES[name])
    result: int = module.main(argv)
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
