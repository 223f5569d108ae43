"""``authmock serve --watch``: reload a fixture file when it changes, without losing the session.

On a change the file is validated in full and a new app is built from it; the clock, the token
secret and the live sessions of users that still exist (``Flavour.session_tables``) move over,
then the server swaps apps between two requests. A broken file is reported as
``FILE: JSON-PATH: problem`` and the last good state keeps serving. Polling (a few stat calls a
second) rather than inotify: no dependency, and it sees editors that replace the file.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from authmock import banner
from authmock.fixtures import FixtureError
from authmock.mock import Mock, MockFlask
from authmock.server import LiveServer

COUNTERS = "__counters__"


def transfer(old: Mock, new: Mock) -> None:
    """Move what a running frontend relies on from ``old`` to ``new`` (a freshly built app)."""
    new.clock.adopt(old.clock)
    new.faults.adopt(old.faults)
    with old.store.lock, new.store.lock:
        new.tokens.adopt(old.tokens)
        counters = new.store.table(COUNTERS)
        old_counters = old.store.table(COUNTERS)
        for session_table, (users_table, user_field) in new.flavour.session_tables.items():
            try:
                source = old.store[session_table]
                users = new.store[users_table]
            except KeyError:
                continue
            target = new.store.table(session_table)
            for key, row in source.items():
                if isinstance(row, dict) and row.get(user_field) in users:
                    target.put(key, row)
            if session_table in old_counters:  # ids handed out stay taken
                counters.put(session_table, old_counters[session_table])


def fingerprint(path: str) -> tuple[int, int, str] | None:
    """mtime, size and content hash; None when the file cannot be read."""
    try:
        stat = os.stat(path)
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, digest


@dataclass
class Watched:
    """One fixture file and the server whose app it feeds."""

    path: str
    server: LiveServer
    build: Callable[[], MockFlask]
    seen: tuple[int, int, str] | None = None
    shown: list[str] = field(default_factory=list)


class FixtureWatcher:
    def __init__(
        self,
        watched: list[Watched],
        *,
        interval: float = 0.3,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.watched = watched
        self.interval = interval
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        for item in watched:
            if item.seen is None:  # else taken before the app was built from the file
                item.seen = fingerprint(item.path)
            item.shown = banner.flavour_part(item.server.mock, item.server.url)

    def check(self) -> None:
        """Look at every file once; reload those whose content changed."""
        for item in self.watched:
            now = fingerprint(item.path)
            if now == item.seen:
                continue
            touched_only = now is not None and item.seen is not None and now[2] == item.seen[2]
            item.seen = now
            if not touched_only:
                self._reload(item, missing=now is None)

    def _reload(self, item: Watched, *, missing: bool) -> None:
        keep = "still serving the last good version"
        if missing:
            print(f"authmock: {item.path}: $: cannot be read ({keep})", file=self.err, flush=True)
            return
        try:
            app = item.build()
        except FixtureError as exc:
            print(f"authmock: {exc} ({keep})", file=self.err, flush=True)
            return
        except ValueError as exc:  # a setting create_app refuses outright
            print(f"authmock: {item.path}: $: {exc} ({keep})", file=self.err, flush=True)
            return
        old = item.server.mock
        with old.store.lock:  # no request of the old app runs between the copy and the swap
            transfer(old, app.mock)
            item.server.swap(app)
        part = banner.flavour_part(app.mock, item.server.url)
        changed = [line for line in part if line not in item.shown]
        item.shown = part
        lines = [f"authmock: reloaded {item.path} ({app.mock.name}; clock and sessions kept)"]
        if changed:
            lines.extend([part[0], *(line for line in changed if line != part[0])])
        print("\n".join(lines), file=self.out, flush=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as exc:  # the watcher must never take the server down
                print(f"authmock: --watch: {exc}", file=self.err, flush=True)

    def start(self) -> FixtureWatcher:
        self._thread = threading.Thread(target=self._run, name="authmock-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
