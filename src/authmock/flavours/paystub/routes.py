"""The Paystub admin routes: /admin/auth/* and the permission-guarded endpoints of the fixture.

The /admin/auth views are declared once, on the module-level ``routes`` table. The guarded
endpoints differ from fixture to fixture, so each app gets a table of its own
(``guarded_routes(seed)``), every entry served by the one ``guarded`` view; ``install`` puts
both on the app's Blueprint and keeps, in ``app.extensions``, which endpoints need a token and
which fixture endpoint each guarded one answers.

Middleware order follows Laravel's priority list: authentication (``auth:sanctum``) first, so
a 401 is neither counted nor given rate-limit headers; then ``throttle:api`` (per user id, else
per IP), whose counter is written outside the request transaction so it survives an error
answer; then the controller. Controllers *raise* ``PaystubError`` (undoing their writes) except
where a write must survive a refusal (the failed-login counter): there they return it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, g, request

from authmock.flavours.paystub import errors, faults, limits, sanctum
from authmock.flavours.paystub.errors import json_response
from authmock.flavours.paystub.model import (
    ACTIVE,
    Endpoint,
    Seed,
    is_admin,
    permissions_of,
    timestamp_at,
    user_json,
)
from authmock.flavours.paystub.validation import (
    FORGOT_RULES,
    LOGIN_RULES,
    RESET_RULES,
    request_input,
    validate,
)
from authmock.mock import current_mock
from authmock.routing import RouteTable
from authmock.store import Table
from authmock.tokens import constant_time_equals, sha256_hex

if TYPE_CHECKING:
    from authmock.mock import Mock

USERS = "paystub_users"
RESETS = "paystub_password_resets"
LOGIN_MAX_ATTEMPTS = 5  # Breeze LoginRequest::ensureIsNotRateLimited
LOGIN_DECAY_SECONDS = 60
RESET_EXPIRE_MINUTES = 60  # config/auth.php passwords.users.expire
RESET_THROTTLE_SECONDS = 60  # config/auth.php passwords.users.throttle
API_DECAY_SECONDS = 60
BLUEPRINT = "paystub"

routes = RouteTable()


def _ok(data: Any, message: str | None = None, status: int = 200) -> Response:
    body: dict[str, Any] = {"success": True, "data": data}
    if message is not None:
        body["message"] = message
    return json_response(body, status)


def _client_ip() -> str:
    return request.remote_addr or "127.0.0.1"




@dataclass(frozen=True)
class AppRoutes:
    """One app's routing facts: the endpoints behind auth:sanctum, the fixture's guarded ones."""

    authenticated: frozenset[str]
    guarded: dict[str, Endpoint]


def _app_routes() -> AppRoutes:
    found: AppRoutes = current_app.extensions[BLUEPRINT]
    return found


def _users(mock: Mock) -> Table[int, dict[str, Any]]:
    return mock.store.table(USERS)


def find_user(mock: Mock, email: str) -> dict[str, Any] | None:
    """Like MySQL's default collation: e-mails match case-insensitively."""
    wanted = email.casefold()
    found: dict[str, Any] | None = _users(mock).find(lambda u: u["email"].casefold() == wanted)
    return found


def find_admin(mock: Mock, email: str) -> dict[str, Any] | None:
    """The admin password broker only knows admin-role users."""
    user = find_user(mock, email)
    return user if user is not None and is_admin(mock.seed, user) else None


def current_user() -> dict[str, Any]:
    user: dict[str, Any] = g.paystub_user
    return user


def current_token_id(mock: Mock) -> int:
    """The presented token's id, checked again under the request lock (a concurrent
    refresh or logout may have deleted it since the middleware looked)."""
    token_id: int = g.paystub_token["id"]
    if token_id not in mock.store.table(sanctum.TABLE):
        raise errors.unauthenticated()
    return token_id


# --- middleware -------------------------------------------------------------------------------
def authenticate_and_throttle() -> Response | None:
    """auth:sanctum on the endpoints that need it, then throttle:api on every route."""
    mock = current_mock()
    user_key: str | None = None
    if request.endpoint in _app_routes().authenticated:
        token = sanctum.find(mock, sanctum.bearer_token(request.headers.get("Authorization")))
        user = _users(mock).get(token["user_id"]) if token else None
        if token is None or user is None:
            mock.reason(faults.token_reason(mock, request))
            return errors.unauthenticated().to_response()
        g.paystub_token = token
        g.paystub_user = user
        user_key = f"user:{user['id']}"
    seed: Seed = mock.seed
    limit = seed.api_rate_limit
    if not limit:
        return None
    key = f"api|{user_key or 'ip:' + _client_ip()}"
    with mock.store.lock:  # outside the request transaction: kept whatever the answer
        if limits.too_many(mock, key, limit):
            retry_after = limits.available_in(mock, key)
            mock.reason(f"rate limited: {limit} requests per {API_DECAY_SECONDS}s")
            return errors.too_many_attempts(
                {
                    "X-RateLimit-Limit": str(limit),
                    "X-RateLimit-Remaining": "0",
                    "Retry-After": str(retry_after),
                    "X-RateLimit-Reset": str(limits.available_at(mock, key)),
                }
            ).to_response()
        count = limits.hit(mock, key, API_DECAY_SECONDS)
    g.paystub_rate = (limit, max(0, limit - count))
    return None


def rate_headers(response: Response) -> Response:
    rate = g.pop("paystub_rate", None)
    if rate is not None and response.status_code != 429:
        response.headers["X-RateLimit-Limit"] = str(rate[0])
        response.headers["X-RateLimit-Remaining"] = str(rate[1])
    return response


# --- /admin/auth --------------------------------------------------------------------------------
@routes.route("POST", "/admin/auth/login", auth=False)
def login() -> Response:
    mock = current_mock()
    seed: Seed = mock.seed
    data = request_input(request)
    validate(mock.profile, data, LOGIN_RULES)
    email: str = data["email"]
    key = f"login|{email.lower()}|{_client_ip()}"
    if limits.too_many(mock, key, LOGIN_MAX_ATTEMPTS):
        seconds = limits.available_in(mock, key)
        message = errors.AUTH_THROTTLE.format(seconds=seconds)
        mock.reason(f"login locked for {seconds}s after {LOGIN_MAX_ATTEMPTS} failures")
        return errors.field_error(mock.profile, "email", message).to_response()
    user = find_user(mock, email)
    if user is None or not constant_time_equals(user["password"], data["password"]):
        limits.hit(mock, key, LOGIN_DECAY_SECONDS)
        mock.reason(faults.login_reason(seed, user, password_ok=False))
        # returned, not raised: the failure counter must survive this answer
        return errors.field_error(mock.profile, "email", errors.AUTH_FAILED).to_response()
    limits.clear(mock, key)
    if not is_admin(seed, user) or user["status"] != ACTIVE:
        mock.reason(faults.login_reason(seed, user, password_ok=True))
        return errors.unauthorized().to_response()
    token = sanctum.issue(mock, user["id"])
    return _ok({"user": user_json(seed, user), "token": token})


@routes.route("POST", "/admin/auth/refresh", auth=True)
def refresh() -> Response:
    mock = current_mock()
    old_id = current_token_id(mock)
    token = sanctum.issue(mock, current_user()["id"])
    sanctum.revoke(mock, old_id)
    return _ok({"token": token})


@routes.route("GET", "/admin/auth/me", auth=True)
def me() -> Response:
    return _ok({"user": user_json(current_mock().seed, current_user())})


@routes.route("POST", "/admin/auth/logout", auth=True)
def logout() -> Response:
    mock = current_mock()
    sanctum.revoke(mock, current_token_id(mock))
    return _ok({}, errors.LOGGED_OUT)


@routes.route("POST", "/admin/auth/forgot-password", auth=False)
def forgot_password() -> Response:
    mock = current_mock()
    seed: Seed = mock.seed
    data = request_input(request)
    validate(mock.profile, data, FORGOT_RULES)
    user = find_admin(mock, data["email"])
    if user is None:
        raise errors.field_error(mock.profile, "email", errors.PASSWORDS_USER)
    now = mock.clock.time()
    resets = mock.store.table(RESETS)
    existing = resets.get(user["email"])
    if existing is not None and existing["created_at"] + RESET_THROTTLE_SECONDS > now:
        raise errors.field_error(mock.profile, "email", errors.PASSWORDS_THROTTLED)
    token = mock.rng.hex(32)  # hash_hmac('sha256', Str::random(40), key): 64 hex
    resets.put(
        user["email"],
        {"email": user["email"], "token": sha256_hex(token), "created_at": int(now)},
    )
    # Breeze's ResetPassword::createUrlUsing inserts the e-mail as is, not URL-encoded
    link = seed.reset_url.replace("{token}", token).replace("{email}", user["email"])
    text = errors.RESET_MAIL_TEXT.format(link=link, minutes=RESET_EXPIRE_MINUTES)
    mock.mailbox.send(user["email"], errors.RESET_MAIL_SUBJECT, text, token=token, links=[link])
    return _ok({}, errors.RESET_LINK_SENT)


@routes.route("POST", "/admin/auth/reset-password", auth=False)
def reset_password() -> Response:
    mock = current_mock()
    data = request_input(request)
    validate(mock.profile, data, RESET_RULES)
    user = find_admin(mock, data["email"])
    if user is None:
        raise errors.field_error(mock.profile, "email", errors.PASSWORDS_USER)
    resets = mock.store.table(RESETS)
    record = resets.get(user["email"])
    token = data["token"]
    if (
        record is None
        or record["created_at"] + RESET_EXPIRE_MINUTES * 60 < mock.clock.time()
        or not isinstance(token, str)
        or not constant_time_equals(record["token"], sha256_hex(token))
    ):
        raise errors.field_error(mock.profile, "email", errors.PASSWORDS_TOKEN)
    _users(mock).put(
        user["id"],
        dict(user, password=data["password"], updated_at=timestamp_at(mock.clock.time())),
    )
    resets.delete(user["email"])  # single use
    sanctum.revoke_all(mock, user["id"])
    return _ok({}, errors.PASSWORD_RESET_DONE)


# --- permission-guarded endpoints of the fixture -------------------------------------------------
def guarded(**_params: str) -> Response:
    """Every fixture endpoint: its data for a role with its permission, else 403."""
    mock = current_mock()
    endpoint = _app_routes().guarded[str(request.endpoint)]
    if endpoint.permission not in permissions_of(mock.seed, current_user()):
        mock.reason(f"missing permission {endpoint.permission}")
        raise errors.unauthorized()
    return _ok(endpoint.data, endpoint.message, endpoint.status)


def guarded_routes(seed: Seed) -> RouteTable:
    """The fixture's endpoints as one app's table (``endpoint`` in each route's meta)."""
    table = RouteTable()
    for index, endpoint in enumerate(seed.endpoints):
        table.add(endpoint.method, endpoint.flask_rule, guarded, endpoint=f"guarded_{index}",
                  auth=True, guarded=endpoint)
    return table


def install(mock: Mock) -> None:
    """Put the /admin/auth routes and this seed's guarded ones on a Blueprint of ``mock.app``."""
    bp = Blueprint(BLUEPRINT, __name__)
    bp.before_request(authenticate_and_throttle)
    bp.after_request(rate_headers)
    per_app = guarded_routes(mock.seed)
    # OPTIONS is left to render_error, which answers as Laravel does; Laravel's UriValidator
    # trims the trailing slash before matching
    routes.install(bp, provide_automatic_options=False, strict_slashes=False)
    per_app.install(bp, provide_automatic_options=False, strict_slashes=False)
    mock.app.extensions[BLUEPRINT] = AppRoutes(
        authenticated=routes.endpoints(BLUEPRINT, auth=True)
        | per_app.endpoints(BLUEPRINT, auth=True),
        guarded={f"{BLUEPRINT}.{r.endpoint}": r.meta["guarded"] for r in per_app.routes},
    )
    mock.app.register_blueprint(bp)
