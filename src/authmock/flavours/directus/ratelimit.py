"""rate-limiter-flexible's fixed windows as Directus uses them (API and registration limiters)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from flask import request

from authmock.clock import isoformat
from authmock.flavours.directus import errors as E

if TYPE_CHECKING:
    from authmock.store import Table


def client_key() -> str:
    """``req.ip`` with Directus's IP_TRUST_PROXY=true: the first X-Forwarded-For entry."""
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
    return forwarded or request.remote_addr or "unknown"


def consume(
    table: Table[Any, Any], key: str, now_ms: int, points: int, duration_s: float
) -> int | None:
    """Take one point of ``key``'s window; None if allowed, else when the window ends (ms)."""
    window = table.get(key)
    if window is None or now_ms >= window["ends"]:
        window = {"ends": now_ms + int(duration_s * 1000), "consumed": 0}
    window = {**window, "consumed": window["consumed"] + 1}
    table.put(key, window)
    if window["consumed"] <= points:
        return None
    ends: int = window["ends"]
    return ends


def rate_limit_error(points: int, now_ms: int, ends_ms: int) -> E.DirectusError:
    """The limiter's refusal as Directus words it, with ``Retry-After``."""
    before_next = max(ends_ms - now_ms, 0)
    at = datetime.fromtimestamp((now_ms + before_next) / 1000.0, tz=timezone.utc)
    err = E.rate_limited(points, isoformat(at), ms_short(before_next))
    err.headers["Retry-After"] = str(js_round(before_next / 1000.0))
    return err


def js_round(value: float) -> int:
    """``Math.round``."""
    return math.floor(value + 0.5)


def ms_short(ms: int) -> str:
    """The ``ms`` library's short format (``850ms``, ``7s``, ``2m``)."""
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000)):
        if abs(ms) >= size:
            return f"{js_round(ms / size)}{unit}"
    return f"{ms}ms"
