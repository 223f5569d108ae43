"""``GET /server/health`` as Directus 11.17.4's ``ServerService.health`` answers it.

Anonymous and non-admin callers see only ``{"status": ...}``; an admin token adds
``releaseId``, ``serviceId`` (``PUBLIC_URL``) and the ``checks`` of each subsystem Directus
probes (database, the rate limiter when enabled, storage ``local``, e-mail). The fake has no
database or disk, so every check is ``ok`` with fixed response times (deterministic answers).
The body goes out as ``application/health+json`` through ``respond`` (no-cache headers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authmock.flavours.directus import errors as E

if TYPE_CHECKING:
    from flask import Response

    from authmock.flavours.directus.sessions import Accountability
    from authmock.flavours.directus.state import Ctx, Directus

#: what the controller sets before respond (Express adds the charset)
HEALTH_JSON_TYPE = "application/health+json; charset=utf-8"
#: the DB_CLIENT of the observed instance (SQLite) and knex's pool after one probe
DB_CLIENT = "sqlite3"
#: fixed "measured" times (ms): a real server reports a few tenths of a millisecond
_DB_MS = 0.412
_LIMITER_MS = 0.087
_STORAGE_MS = 0.733


def health(api: Directus, acc: Accountability) -> dict[str, Any]:
    """The payload ``ServerService.health()`` returns for this caller."""
    if not acc.admin:
        return {"status": "ok"}
    checks: dict[str, Any] = {
        f"{DB_CLIENT}:responseTime": [{
            "status": "ok", "componentType": "datastore", "observedUnit": "ms",
            "observedValue": _DB_MS, "threshold": 150,
        }],
        f"{DB_CLIENT}:connectionsAvailable": [
            {"status": "ok", "componentType": "datastore", "observedValue": 1}
        ],
        f"{DB_CLIENT}:connectionsUsed": [
            {"status": "ok", "componentType": "datastore", "observedValue": 0}
        ],
    }
    if api.settings.rate_limiter_enabled:
        checks["rateLimiter:responseTime"] = [{
            "status": "ok", "componentType": "ratelimiter", "observedValue": _LIMITER_MS,
            "observedUnit": "ms", "threshold": 150,
        }]
    checks["storage:local:responseTime"] = [{
        "status": "ok", "componentType": "objectstore", "observedValue": _STORAGE_MS,
        "observedUnit": "ms", "threshold": 750,
    }]
    checks["email:connection"] = [{"status": "ok", "componentType": "email"}]
    return {
        "status": "ok",
        "releaseId": E.DIRECTUS_VERSION,
        "serviceId": api.public_url(),
        "checks": checks,
    }


def health_route(api: Directus, ctx: Ctx) -> Response:
    """The ``/server/health`` controller: its own Content-Type, then ``respond``."""
    response = api.ok(health(api, ctx.acc), ctx)
    response.headers["Content-Type"] = HEALTH_JSON_TYPE
    return response
