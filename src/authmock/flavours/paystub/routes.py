"""The Paystub admin routes: /admin/auth/* and the permission-guarded endpoints of the fixture.

Middleware order follows Laravel's priority list: authentication (``auth:sanctum``) first, so
a 401 is neither counted nor given rate-limit headers; then ``throttle:api`` (per user id, else
per IP), whose counter is written outside the request transaction so it survives an error
answer; then the controller. Controllers *raise* ``PaystubError`` (undoing their writes) except
where a write must survive a refusal (the failed-login counter): there they return it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, g, request

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

View = Callable[..., Response]


def _ok(data: Any, message: str | None = None, status: int = 200) -> Response:
    body: dict[str, Any] = {"success": True, "data": data}
    if message is not None:
        body["message"] = message
    return json_response(body, status)


def _client_ip() -> str:
    return request.remote_addr or "127.0.0.1"


def register(mock: Mock, seed: Seed) -> None:
    """Create the blueprint for this app's seed and register it on ``mock.app``."""
    bp = Blueprint("paystub", __name__)
    authenticated: set[str] = set()  # endpoint names behind auth:sanctum

    def users() -> Table[int, dict[str, Any]]:
        return mock.store.table(USERS)

    def find_user(email: str) -> dict[str, Any] | None:
        """Like MySQL's default collation: e-mails match case-insensitively."""
        wanted = email.casefold()
        found: dict[str, Any] | None = users().find(lambda u: u["email"].casefold() == wanted)
        return found

    def find_admin(email: str) -> dict[str, Any] | None:
        """The admin password broker only knows admin-role users."""
        user = find_user(email)
        return user if user is not None and is_admin(seed, user) else None

    def route(
        rule: str, methods: list[str], *, auth: bool, endpoint: str | None = None
    ) -> Callable[[View], View]:
        """Register a view; OPTIONS is left to render_error, which answers as Laravel does."""

        def decorate(view: View) -> View:
            name = endpoint or view.__name__
            if auth:
                authenticated.add(f"paystub.{name}")
            bp.add_url_rule(
                rule,
                name,
                view,
                methods=methods,
                provide_automatic_options=False,
                # Laravel's UriValidator trims the trailing slash before matching
                strict_slashes=False,
            )
            return view

        return decorate

    # --- middleware ---------------------------------------------------------------------------
    @bp.before_request
    def _authenticate_and_throttle() -> Response | None:
        user_key: str | None = None
        if request.endpoint in authenticated:
            token = sanctum.find(mock, sanctum.bearer_token(request.headers.get("Authorization")))
            user = users().get(token["user_id"]) if token else None
            if token is None or user is None:
                mock.reason(faults.token_reason(mock, request))
                return errors.unauthenticated().to_response()
            g.paystub_token = token
            g.paystub_user = user
            user_key = f"user:{user['id']}"
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

    @bp.after_request
    def _rate_headers(response: Response) -> Response:
        rate = g.pop("paystub_rate", None)
        if rate is not None and response.status_code != 429:
            response.headers["X-RateLimit-Limit"] = str(rate[0])
            response.headers["X-RateLimit-Remaining"] = str(rate[1])
        return response

    def current_user() -> dict[str, Any]:
        user: dict[str, Any] = g.paystub_user
        return user

    def current_token_id() -> int:
        """The presented token's id, checked again under the request lock (a concurrent
        refresh or logout may have deleted it since the middleware looked)."""
        token_id: int = g.paystub_token["id"]
        if token_id not in mock.store.table(sanctum.TABLE):
            raise errors.unauthenticated()
        return token_id

    # --- /admin/auth ----------------------------------------------------------------------------
    @route("/admin/auth/login", ["POST"], auth=False)
    def login() -> Response:
        data = request_input(request)
        validate(mock.profile, data, LOGIN_RULES)
        email: str = data["email"]
        key = f"login|{email.lower()}|{_client_ip()}"
        if limits.too_many(mock, key, LOGIN_MAX_ATTEMPTS):
            seconds = limits.available_in(mock, key)
            message = errors.AUTH_THROTTLE.format(seconds=seconds)
            mock.reason(f"login locked for {seconds}s after {LOGIN_MAX_ATTEMPTS} failures")
            return errors.field_error(mock.profile, "email", message).to_response()
        user = find_user(email)
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

    @route("/admin/auth/refresh", ["POST"], auth=True)
    def refresh() -> Response:
        old_id = current_token_id()
        token = sanctum.issue(mock, current_user()["id"])
        sanctum.revoke(mock, old_id)
        return _ok({"token": token})

    @route("/admin/auth/me", ["GET"], auth=True)
    def me() -> Response:
        return _ok({"user": user_json(seed, current_user())})

    @route("/admin/auth/logout", ["POST"], auth=True)
    def logout() -> Response:
        sanctum.revoke(mock, current_token_id())
        return _ok({}, errors.LOGGED_OUT)

    @route("/admin/auth/forgot-password", ["POST"], auth=False)
    def forgot_password() -> Response:
        data = request_input(request)
        validate(mock.profile, data, FORGOT_RULES)
        user = find_admin(data["email"])
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

    @route("/admin/auth/reset-password", ["POST"], auth=False)
    def reset_password() -> Response:
        data = request_input(request)
        validate(mock.profile, data, RESET_RULES)
        user = find_admin(data["email"])
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
        users().put(
            user["id"],
            dict(user, password=data["password"], updated_at=timestamp_at(mock.clock.time())),
        )
        resets.delete(user["email"])  # single use
        sanctum.revoke_all(mock, user["id"])
        return _ok({}, errors.PASSWORD_RESET_DONE)

    # --- permission-guarded endpoints of the fixture --------------------------------------------
    def guarded(endpoint: Endpoint) -> View:
        def view(**_params: str) -> Response:
            if endpoint.permission not in permissions_of(seed, current_user()):
                mock.reason(f"missing permission {endpoint.permission}")
                raise errors.unauthorized()
            return _ok(endpoint.data, endpoint.message, endpoint.status)

        return view

    for index, endpoint in enumerate(seed.endpoints):
        route(endpoint.flask_rule, [endpoint.method], auth=True, endpoint=f"guarded_{index}")(
            guarded(endpoint)
        )

    mock.app.register_blueprint(bp)
