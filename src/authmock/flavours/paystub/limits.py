"""Laravel's ``RateLimiter`` on the mock clock: a fixed window that opens at the first hit.

``hit`` starts a window of ``decay`` seconds (counter and timer expire together), so after
``max`` hits every attempt is refused until ``first hit + decay``; Laravel counts whole seconds.
Rows live in the store, so a reset clears every counter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authmock.mock import Mock

TABLE = "paystub_rate_limits"


def _now(mock: Mock) -> int:
    return int(mock.clock.time())


def _live(mock: Mock, key: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = mock.store.table(TABLE).get(key)
    if row is None or _now(mock) >= row["reset_at"]:
        return None
    return row


def attempts(mock: Mock, key: str) -> int:
    row = _live(mock, key)
    return int(row["attempts"]) if row else 0


def too_many(mock: Mock, key: str, max_attempts: int) -> bool:
    return attempts(mock, key) >= max_attempts


def hit(mock: Mock, key: str, decay: int) -> int:
    """Count one attempt; returns the attempts in the current window."""
    row = _live(mock, key)
    count = (row["attempts"] if row else 0) + 1
    reset_at = row["reset_at"] if row else _now(mock) + decay
    mock.store.table(TABLE).put(key, {"attempts": count, "reset_at": reset_at})
    return int(count)


def available_in(mock: Mock, key: str) -> int:
    """Seconds until the window closes (``RateLimiter::availableIn``)."""
    row = _live(mock, key)
    return max(0, int(row["reset_at"]) - _now(mock)) if row else 0


def available_at(mock: Mock, key: str) -> int:
    row = _live(mock, key)
    return int(row["reset_at"]) if row else _now(mock)


def clear(mock: Mock, key: str) -> None:
    mock.store.table(TABLE).delete(key)
