"""Paystub's side of fault injection: its named errors, who a request is, user scenarios.

Entries come from ``errors.py`` and are answered by ``PaystubError.to_response``, as the real
refusals are. Laravel's middleware order decides each entry's stage: a 401 (``auth:sanctum``)
and a 429 (``throttle:api``) answer before the throttle adds its headers, so they replace the
whole pipeline; a 403 or 422 comes from the controller, after the throttle counted the request
and while its ``X-RateLimit-*`` headers are still added, so they replace the route only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Request, has_request_context

from authmock.faults import CatalogueEntry
from authmock.flavours.paystub import errors, limits, sanctum
from authmock.flavours.paystub.model import ACTIVE, Seed
from authmock.flavours.paystub.schema import DEFAULT_API_RATE_LIMIT
from authmock.scenarios import ScenarioError, unknown_user
from authmock.tokens import constant_time_equals, sha256_hex

if TYPE_CHECKING:
    from authmock.mock import Mock

#: the user states a scenario may set (the fixtures' ``Active`` and ``Suspended``, and ``Inactive``)
STATUSES = (ACTIVE, "Suspended", "Inactive")
#: where tests come from (test client and live server alike): the login throttle is per e-mail + IP
LOCKOUT_IP = "127.0.0.1"


def error_catalogue(mock: Mock) -> Mapping[str, CatalogueEntry]:
    from authmock.flavours.paystub.routes import (
        API_DECAY_SECONDS,
        LOGIN_DECAY_SECONDS,
    )

    seed: Seed = mock.seed

    def too_many() -> Any:
        """429 as the first refused request of a throttle window opened now."""
        limit = seed.api_rate_limit or DEFAULT_API_RATE_LIMIT
        now = int(mock.clock.time())
        return errors.too_many_attempts(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "Retry-After": str(API_DECAY_SECONDS),
                "X-RateLimit-Reset": str(now + API_DECAY_SECONDS),
            }
        ).to_response()

    return {
        "unauthenticated": CatalogueEntry(
            401, "no, unknown, expired or revoked Bearer token",
            lambda: errors.unauthenticated().to_response(),
        ),
        "unauthorized": CatalogueEntry(
            403, "the role lacks the endpoint's permission, or a non-admin logs in",
            lambda: errors.unauthorized().to_response(), stage="route",
        ),
        "too_many_attempts": CatalogueEntry(
            429, "throttle:api refused the request (with Retry-After)", too_many,
        ),
        "validation_failed": CatalogueEntry(
            422, "login with a wrong e-mail or password (errors.email)",
            lambda: errors.field_error(mock.profile, "email", errors.AUTH_FAILED).to_response(),
            stage="route",
        ),
        "login_throttled": CatalogueEntry(
            422, "too many failed logins for this e-mail and address",
            lambda: errors.field_error(
                mock.profile, "email", errors.AUTH_THROTTLE.format(seconds=LOGIN_DECAY_SECONDS)
            ).to_response(),
            stage="route",
        ),
        "not_found": CatalogueEntry(
            404, "no such route", lambda: errors.not_found().to_response()
        ),
        "server_error": CatalogueEntry(
            500, "an unexpected server error", lambda: errors.server_error().to_response(),
            stage="route",
        ),
    }


def _user(mock: Mock, user_id: Any) -> dict[str, Any] | None:
    from authmock.flavours.paystub.routes import USERS

    found: dict[str, Any] | None = mock.store.table(USERS).get(user_id)
    return found


def _by_email(mock: Mock, email: Any) -> dict[str, Any] | None:
    from authmock.flavours.paystub.routes import USERS

    if not isinstance(email, str):
        return None
    wanted = email.casefold()
    found: dict[str, Any] | None = mock.store.table(USERS).find(
        lambda u: u["email"].casefold() == wanted
    )
    return found


def request_user(mock: Mock, req: Request) -> str | None:
    """The Bearer token's owner (expired or not: whose token it is), or on a login the e-mail."""
    plain = sanctum.bearer_token(req.environ.get("HTTP_AUTHORIZATION"))
    if plain and not plain.isascii():  # every token we issue is ASCII
        return None
    if plain:
        table = mock.store.table(sanctum.TABLE)
        token_id, _, secret = plain.partition("|")
        row: dict[str, Any] | None
        if secret and token_id.isascii() and token_id.isdigit():
            row = table.get(int(token_id))
            if row is not None and not constant_time_equals(row["token"], sha256_hex(secret)):
                row = None
        else:
            digest = sha256_hex(plain)
            row = table.find(lambda r: constant_time_equals(r["token"], digest))
        user = _user(mock, row["user_id"]) if row is not None else None
        return user["email"] if user is not None else None
    if req.method == "POST" and req.path.rstrip("/") == "/admin/auth/login":
        from authmock.flavours.paystub.validation import request_input

        user = _by_email(mock, request_input(req).get("email"))  # as the controller reads it
        return user["email"] if user is not None else None
    return None


def token_reason(mock: Mock, req: Request) -> str:
    """Why ``auth:sanctum`` refused: no token, an unknown (or revoked) one, or an expired one."""
    plain = sanctum.bearer_token(req.environ.get("HTTP_AUTHORIZATION"))
    if not plain:
        return "no bearer token"
    token_id, _, _ = plain.partition("|")
    row = (mock.store.table(sanctum.TABLE).get(int(token_id))
           if token_id.isascii() and token_id.isdigit() else None)
    if row is not None and request_user(mock, req) is not None:  # ours, but refused: expired
        from authmock.flavours.paystub.model import timestamp_at

        return f"token expired at {timestamp_at(row['expires_at'])}"
    return "unknown or revoked token"


def default_reason(error: errors.PaystubError) -> None:
    """A 422 whose site named no reason: the fields that failed validation."""
    if error.code == 422 and isinstance(error.errors, dict) and has_request_context():
        from authmock.mock import current_mock

        current_mock().reason(f"invalid {', '.join(error.errors)}", default=True)


def login_reason(seed: Seed, user: dict[str, Any] | None, *, password_ok: bool) -> str:
    if user is None:
        return "unknown user"
    if not password_ok:
        return "wrong password"
    from authmock.flavours.paystub.model import is_admin

    return "not an admin" if not is_admin(seed, user) else f"user {user['status']}"


def user_scenario(mock: Mock, email: str, verb: str, body: Mapping[str, Any]) -> dict[str, Any]:
    from authmock.flavours.paystub.routes import (
        LOGIN_DECAY_SECONDS,
        LOGIN_MAX_ATTEMPTS,
        USERS,
    )

    user = _by_email(mock, email)
    if user is None:
        raise unknown_user(email)
    tokens = mock.store.table(sanctum.TABLE)
    rows = [row for row in tokens.values() if row["user_id"] == user["id"]]
    if verb == "expire_sessions":  # expires_at now: Sanctum's isPast() refuses them
        now = int(mock.clock.time())
        for row in rows:
            tokens.put(row["id"], {**row, "expires_at": min(row["expires_at"], now)})
        return {"tokens": len(rows)}
    if verb == "revoke_sessions":
        sanctum.revoke_all(mock, user["id"])
        return {"tokens": len(rows)}
    if verb == "status":
        status = body.get("status")
        if status not in STATUSES:
            raise ScenarioError(400, f'"status" must be one of: {", ".join(STATUSES)}')
        mock.store.table(USERS).put(user["id"], {**user, "status": status})
        return {"status": status}
    # lockout: the failed attempts Breeze's LoginRequest counts, up to its limit
    key = f"login|{user['email'].lower()}|{LOCKOUT_IP}"
    while not limits.too_many(mock, key, LOGIN_MAX_ATTEMPTS):
        limits.hit(mock, key, LOGIN_DECAY_SECONDS)
    return {"locked_for_seconds": limits.available_in(mock, key), "ip": LOCKOUT_IP}
