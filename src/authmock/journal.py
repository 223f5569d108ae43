"""Every request an app answered, on the mock clock. Capped so long runs stay small.

Recording is on every request's path, so it keeps a tuple; the JSON shape (with the ISO time)
is built only when someone reads the journal.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timezone
from typing import Any

from authmock.clock import isoformat

DEFAULT_LIMIT = 1000

_Entry = tuple[str, str, str, int, float]  # method, path, query, status, mock time


class Journal:
    def __init__(self, flavour: str, limit: int = DEFAULT_LIMIT) -> None:
        self.flavour = flavour
        self.limit = limit
        self._lock = threading.Lock()
        self._entries: deque[_Entry] = deque(maxlen=limit)

    def record(self, method: str, path: str, query: str, status: int, at: float) -> None:
        with self._lock:
            self._entries.append((method, path, query, status, at))

    def entries(self) -> list[dict[str, Any]]:
        """Oldest first: ``{"method", "path", "query", "status", "at", "flavour"}``."""
        with self._lock:
            entries = list(self._entries)
        return [
            {
                "method": method,
                "path": path,
                "query": query,
                "status": status,
                "at": isoformat(datetime.fromtimestamp(at, tz=timezone.utc)),
                "flavour": self.flavour,
            }
            for method, path, query, status, at in entries
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
