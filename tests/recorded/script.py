"""Recorded responses: every route of every flavour, both profiles, byte for byte.

Each flavour has a deterministic script (``<flavour>_script.py``): seed 1234, the mock clock
frozen at 2026-01-01T00:00:00Z, later requests reuse tokens and cookies earned earlier. The
transcripts are committed as ``tests/recorded/<flavour>-<profile>.txt``; ``test_recorded.py``
replays the scripts and compares, so a refactor that changes any status, header or body byte
fails.

Regenerate (only when a change of behaviour is intended, and review the diff):

    python -m tests.recorded.script --write

Without ``--write`` it only checks (exit 1 and a diff on a difference). Every script runs
twice per recording: two different transcripts mean something is not deterministic.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from pathlib import Path

from tests.recorded import directus_script, dreamfactory_script, paystub_script
from tests.recorded.recorder import Recorder

HERE = Path(__file__).resolve().parent
PROFILES = ("docs", "server")
SCRIPTS: dict[str, Callable[[Recorder], None]] = {
    "dreamfactory": dreamfactory_script.run,
    "directus": directus_script.run,
    "paystub": paystub_script.run,
}
CASES = [(flavour, profile) for flavour in SCRIPTS for profile in PROFILES]
REGENERATE = "python -m tests.recorded.script --write"


def record(flavour: str, profile: str) -> str:
    """The transcript of one flavour's script under one profile, on a fresh app."""
    recorder = Recorder(flavour, profile)
    SCRIPTS[flavour](recorder)
    return recorder.transcript()


def path_for(flavour: str, profile: str) -> Path:
    return HERE / f"{flavour}-{profile}.txt"


def read(path: Path) -> str:
    """The committed transcript, newlines untranslated (a body may hold a bare CR)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def difference(expected: str, actual: str, name: str, hunks: int = 5) -> str:
    """A unified diff of the first few differing hunks, each headed by the request it is
    in, or "" when equal."""
    if expected == actual:
        return ""
    old = expected.split("\n")
    lines = list(difflib.unified_diff(
        old, actual.split("\n"), f"{name} (committed)", f"{name} (now)", lineterm="", n=3,
    ))
    shown: list[str] = []
    seen = 0
    for line in lines:
        if line.startswith("@@"):
            seen += 1
            if seen > hunks:
                shown.append(f"... more differences (run {REGENERATE} and git diff {name})")
                break
            shown.append(line)
            start = int(line.split()[1].lstrip("-").split(",")[0])
            request = next((text for text in reversed(old[:start + 2])
                            if text.startswith(">>> ")), None)
            if request is not None:
                shown.append(f"## in the answer to {request}")
            continue
        shown.append(line)
    return "\n".join(shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="rewrite the committed transcripts")
    args = parser.parse_args(argv)
    status = 0
    for flavour, profile in CASES:
        name = path_for(flavour, profile).name
        first = record(flavour, profile)
        second = record(flavour, profile)
        if first != second:
            print(f"{name}: NOT deterministic, two runs differ:")
            print(difference(first, second, name))
            status = 1
            continue
        target = path_for(flavour, profile)
        if args.write:
            target.write_text(first, encoding="utf-8", newline="\n")
            print(f"{name}: written ({first.count(chr(10) + '>>> ')} requests)")
            continue
        committed = read(target) if target.exists() else ""
        diff = difference(committed, first, name)
        print(f"{name}: {'differs' if diff else 'same'}")
        if diff:
            print(diff)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
