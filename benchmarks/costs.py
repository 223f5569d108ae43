"""Costs every authmock user pays, as ratios against a baseline measured in the same run.

``python benchmarks/costs.py`` (``--quick`` for fewer runs). Rows: pytest start-up with the plugin
installed but unused, and the plugin's own import time. Not a test: it prints a table, exits 0.
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from run import fmt  # type: ignore[import-not-found]

Row = tuple[str, float, str, float, str, bool]


def _run(argv: list[str], cwd: Path) -> float:
    """CPU seconds (user + system) the child used: on a shared 2-core machine its wall time
    swung by a quarter between identical runs, its CPU time by a few per cent."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pytest_startup(repeat: int) -> list[Row]:
    """One trivial test, run with authmock's plugin and with ``-p no:authmock``, interleaved."""
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "test_one.py").write_text("def test_one():\n    assert True\n")
        # Other plugins off on both sides: hypothesis alone imports for ~0.5 s and its jitter
        # would swamp the few milliseconds measured here.
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "-p", "no:hypothesispytest", "-p", "no:anyio", "test_one.py"]
        with_plugin: list[float] = []
        without: list[float] = []
        _run(base, cwd)
        for _ in range(repeat):
            without.append(_run([*base, "-p", "no:authmock"], cwd))
            with_plugin.append(_run(base, cwd))
    plugin, bare = min(with_plugin), min(without)
    rows: list[Row] = [
        ("pytest, one test, plugin unused (CPU)", plugin, "same with -p no:authmock", bare,
         "≤ +10 ms", plugin - bare <= 10e-3),
    ]
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pytest; import authmock.pytest_plugin"],
        check=True, capture_output=True, text=True,
    ).stderr
    match = re.search(r"\|\s*(\d+) \|\s*authmock\.pytest_plugin$", out, re.M)
    cost = int(match.group(1)) * 1e-6 if match else float("nan")
    rows.append(("import authmock.pytest_plugin (after pytest)", cost, "—", 0.0, "≤ 10 ms",
                 cost <= 10e-3))
    return rows


def print_table(rows: list[Row]) -> None:
    header = ("measure", "time", "baseline", "baseline time", "ratio", "target", "met")
    table = [header]
    for label, value, base_label, base, target, met in rows:
        ratio = f"{value / base:.2f}×" if base else "—"
        table.append((label, fmt(value), base_label, fmt(base) if base else "—", ratio, target,
                      "yes" if met else "NO"))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print(" | ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    args = parser.parse_args()
    rows = pytest_startup(3 if args.quick else 7)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
