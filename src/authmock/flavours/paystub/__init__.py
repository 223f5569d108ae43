"""The Paystub admin API fake: Sanctum tokens, five admin roles, permission-guarded endpoints.

Users script against the routes of the seed page (``/admin/auth/*``); see docs/paystub.md for
what is documented by Paystub and what is inferred from Laravel/Sanctum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

from flask import Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from authmock.flavour import FaultHooks, Flavour, InspectHooks
from authmock.flavours.paystub import cors, errors, faults, headers, inspect, override, routes
from authmock.flavours.paystub.model import ACTIVE, Seed, is_admin
from authmock.flavours.paystub.routes import USERS
from authmock.flavours.paystub.schema import SCHEMA
from authmock.flavours.paystub.seed import parse_seed

if TYPE_CHECKING:
    from authmock.fixtures import FixtureFile
    from authmock.mock import Mock

#: PHP's default post_max_size (8M): Laravel's ValidatePostSize refuses bigger bodies
MAX_BODY_BYTES = 8 * 1024 * 1024


def _route_of() -> str:
    """Laravel's ``$request->path()``: the path as sent (still percent-encoded, as Symfony's
    ``getPathInfo()`` keeps it), without leading or trailing slashes, ``/`` for the root."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        # a WSGI string holds the request's bytes as latin-1; PHP sees them as they came (UTF-8)
        path = raw.encode("latin-1", "replace").decode("utf-8", "replace")
        path = path.split("?", 1)[0].split("#", 1)[0]
    else:
        path = quote(request.path, safe="/:@!$&'()*+,;=-._~")
    trimmed = path.strip("/")
    return trimmed or "/"


class PaystubFlavour(Flavour):
    name = "paystub"
    default_port = 8000
    fixture_schema = SCHEMA
    max_content_length = MAX_BODY_BYTES
    reason_phrases = errors.REASON_PHRASES
    user_statuses = faults.STATUSES
    fault_hooks: ClassVar[FaultHooks | None] = faults
    inspect_hooks: ClassVar[InspectHooks | None] = inspect
    session_tables = {"paystub_tokens": ("paystub_users", "user_id")}

    def parse_fixtures(self, fixture: FixtureFile) -> Seed:
        return parse_seed(fixture)

    def setup(self, mock: Mock) -> None:
        seed: Seed = mock.seed
        mock.store.table(USERS, dict(seed.users))
        override.install(mock, MAX_BODY_BYTES)
        cors_options = cors.options_for(mock, seed.cors)
        headers.install(mock, cors_options)
        if cors_options is not None:
            cors.install(mock, cors_options)  # preflights; the label is set with the other headers
        routes.install(mock)

    def render_error(self, status: int, error: BaseException | None) -> Response:
        """Paystub's envelope for every error; 405 and OPTIONS answered as Laravel's router."""
        if isinstance(error, errors.PaystubError):
            faults.default_reason(error)
            return error.to_response()
        if status == 405 and isinstance(error, MethodNotAllowed):
            allowed = [
                m for m in errors.VERB_ORDER if m in (error.valid_methods or []) and m != "OPTIONS"
            ]
            if request.method == "OPTIONS":
                response = Response("", 200)
                response.headers["Allow"] = ",".join(allowed)
                return response
            return errors.method_not_allowed(request.method, _route_of(), allowed).to_response()
        if status == 404:
            return errors.not_found().to_response()
        if status == 413:
            return errors.too_large().to_response()
        if status >= 500 or not isinstance(error, HTTPException):
            return errors.server_error().to_response()
        return errors.http_error(status, error.name).to_response()

    def cors_summary(self, mock: Mock) -> str:
        seed: Seed = mock.seed
        if seed.cors is False:
            return "off (settings.cors: false)"
        if seed.cors is True or not mock.cors.enabled:
            return "any origin, without credentials (Laravel's default config/cors.php)"
        return mock.cors.describe()

    def banner(self, mock: Mock, url: str) -> list[str]:
        """The admin users a newcomer can log in as, and the request that does it."""
        seed: Seed = mock.seed
        admins = [
            u
            for u in mock.store.table(USERS).values()
            if is_admin(seed, u) and u["status"] == ACTIVE
        ]
        if not admins:
            return ["no active admin user in the fixtures"]
        lines = ["admin users (POST /admin/auth/login with email and password):"]
        for user in admins:
            role = seed.roles[user["role_id"]]["name"]
            lines.append(f"  {user['email']}  password: {user['password']}  role: {role}")
        first = admins[0]
        lines.append(
            f"  curl -X POST {url}/admin/auth/login -H 'Content-Type: application/json' "
            f'-d \'{{"email":"{first["email"]}","password":"{first["password"]}"}}\''
        )
        return lines


flavour = PaystubFlavour()
