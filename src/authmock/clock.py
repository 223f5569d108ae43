"""The one notion of "now" per app.

Follows ``time.time()`` (so freezegun and time-machine move it in-process) plus an offset
that tests and the control API move. Nothing in authmock may read the time any other way.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_duration(value: float | int | str | timedelta) -> float:
    """Seconds from ``86400``, ``"90s"``, ``"15m"``, ``"24h"``, ``"7d"`` or a timedelta.

    A bare number (or numeric string) means seconds. Raises ValueError with a message a user
    can act on.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    raise ValueError(
        f"not a duration: {value!r} (use seconds or a number with s, m, h, d or w, e.g. \"15m\")"
    )


def parse_instant(value: str | datetime) -> datetime:
    """An aware UTC datetime from ISO-8601 text; naive input is taken as UTC, never local."""
    if isinstance(value, datetime):
        when = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO-8601 date-time: {value!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def isoformat(when: datetime) -> str:
    """``2026-11-22T08:00:00.123Z`` style, the shape JSON clients parse everywhere."""
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Clock:
    """Wall-clock time plus an offset, optionally frozen. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None

    def time(self) -> float:
        """Seconds since the epoch on the mock clock."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    @property
    def offset_seconds(self) -> float:
        """How far the mock clock is from real time right now."""
        return self.time() - time.time()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def advance(self, amount: float | int | str | timedelta) -> datetime:
        seconds = parse_duration(amount)
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds
        return self.now()

    def set(self, when: str | datetime) -> datetime:
        target = parse_instant(when).timestamp()
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = target
            else:
                self._offset = target - time.time()
        return self.now()

    def freeze(self) -> datetime:
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = time.time() + self._offset
        return self.now()

    def unfreeze(self) -> datetime:
        """Let time run again from where it stood (the offset keeps the frozen instant)."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None

    def adopt(self, other: Clock) -> None:
        """Stand where ``other`` stands (offset and freeze): a reloaded app keeps its time."""
        with other._lock:
            offset, frozen_at = other._offset, other._frozen_at
        with self._lock:
            self._offset, self._frozen_at = offset, frozen_at

    def state(self) -> dict[str, object]:
        """The control API's clock shape."""
        now = self.time()
        return {
            "now": isoformat(datetime.fromtimestamp(now, tz=timezone.utc)),
            "offset_seconds": round(now - time.time(), 3),
            "frozen": self.frozen,
        }
