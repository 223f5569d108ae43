"""Every request an app answered, on the mock clock. Capped so long runs stay small."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

DEFAULT_LIMIT = 1000


class Journal:
    def __init__(self, flavour: str, limit: int = DEFAULT_LIMIT) -> None:
        self.flavour = flavour
        self.limit = limit
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
