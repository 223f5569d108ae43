"""The Directus 11 flavour: ``/auth/*``, ``/users/me`` and ``/items/*`` as Directus answers them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from flask import Response, request
from werkzeug.exceptions import HTTPException

from authmock.flavour import FaultHooks, Flavour, InspectHooks
from authmock.flavours.directus import errors as E
from authmock.flavours.directus import faults, inspect
from authmock.flavours.directus import http as H
from authmock.flavours.directus.config import Seed
from authmock.flavours.directus.cors import decorate, effective
from authmock.flavours.directus.jsonbody import MAX_PAYLOAD_SIZE
from authmock.flavours.directus.pipeline import register
from authmock.flavours.directus.schema import SCHEMA
from authmock.flavours.directus.seed import parse_fixture
from authmock.flavours.directus.sessions import DirectusService
from authmock.flavours.directus.settings_api import install as install_settings
from authmock.flavours.directus.sso import register_idp
from authmock.flavours.directus.state import EXTENSION, Directus
from authmock.mock import CONTROL_PREFIX, is_control_path

if TYPE_CHECKING:
    from authmock.fixtures import FixtureFile
    from authmock.mock import Mock


class DirectusFlavour(Flavour):
    name = "directus"
    default_port = 8055
    fixture_schema = SCHEMA
    #: Directus's MAX_PAYLOAD_SIZE default (1mb); bigger bodies are INVALID_PAYLOAD
    max_content_length = MAX_PAYLOAD_SIZE
    user_statuses = inspect.STATUSES
    fault_hooks: ClassVar[FaultHooks | None] = faults
    inspect_hooks: ClassVar[InspectHooks | None] = inspect
    session_tables = {"directus_sessions": ("directus_users", "user")}

    def parse_fixtures(self, fixture: FixtureFile) -> Seed:
        return parse_fixture(fixture)

    def setup(self, mock: Mock) -> None:
        seed: Seed = mock.seed
        seed.settings.cors = effective(mock.cors, mock.settings, seed.settings.cors)
        service = DirectusService(mock, seed)
        install_settings(service)
        api = Directus(mock, service)
        mock.app.extensions[EXTENSION] = api
        register_idp(mock.app, api)
        register(mock.app, api)
        from authmock.flavours.directus import realtime

        realtime.install(mock, api, service.settings.realtime)
        from authmock.flavours.directus import graphql_ops

        graphql_ops.register()  # fault rules' match.operation
        graphql_ops.install(mock.app)  # the journal's "operation"
        cors = service.settings.cors
        if cors.active:
            @mock.app.after_request
            def _cors(response: Response) -> Response:
                # every answer but authmock's own pages (control API, fake identity provider)
                if is_control_path(request.path):
                    return response
                return decorate(cors, response)

    def render_error(self, status: int, error: BaseException | None) -> Response:
        if isinstance(error, E.DirectusError):
            err = error
        elif status == 413:
            err = E.invalid_payload(E.REASON_TOO_LARGE)
        elif status in (404, 405):
            err = E.route_not_found(H.raw_path())
        elif isinstance(error, HTTPException) and 400 <= status < 500:
            err = E.invalid_payload((error.description or "Bad Request").rstrip("."))
        else:
            err = E.internal_error()
        return H.json_response(err.envelope(), err.status, success=False)

    def banner(self, mock: Mock, url: str) -> list[str]:
        seed: Seed = mock.seed
        from authmock.banner import COOKIE_HINT, host_of

        lines = [
            f"Log in: POST {url}/auth/login with {{\"email\", \"password\"}} (users below)",
            COOKIE_HINT.format(host=host_of(url)),
        ]
        for user in seed.users.values():
            if not user.get("email"):
                continue
            role = seed.roles.get(user.get("role") or "")
            extras = []
            if role is not None:
                extras.append(role.name)
            if user.get("status") != "active":
                extras.append(str(user.get("status")))
            if user.get("provider") != "default":
                extras.append(f"provider {user.get('provider')}")
            if user.get("tfa_secret"):
                extras.append(f"TOTP: GET {url}{CONTROL_PREFIX}/users/{user['email']}/otp")
            password = user.get("password")
            shown = f" / {password}" if password is not None else ""
            detail = f" ({', '.join(extras)})" if extras else ""
            lines.append(f"  {user['email']}{shown}{detail}")
            if user.get("token"):
                lines.append(f"    static token: Authorization: Bearer {user['token']}")
        for provider in seed.providers:
            if provider.driver == "ldap":
                lines.append(
                    f'LDAP: POST {url}/auth/login/{provider.name} with {{"identifier", "password"}}'
                )
            elif provider.driver in ("oauth2", "openid", "saml"):
                lines.append(
                    f"SSO ({provider.driver}): open {url}/auth/login/{provider.name}"
                    "?redirect=/users/me"
                )
        lines.extend(_realtime_banner(mock, url))
        return lines

    def cors_summary(self, mock: Mock) -> str:
        own = {k: v for k, v in mock.settings.items() if k.startswith("CORS_")}
        if own:
            shown = ", ".join(f"{k}={v}" for k, v in own.items())
            state = "on" if mock.seed.settings.cors.active else "off"
            return f"{state}, from the fixture's settings ({shown})"
        if not mock.cors.enabled:
            return "off (Directus's default: CORS_ENABLED=false)"
        return mock.cors.describe()

    def totp_secret(self, mock: Mock, email: str) -> str | None:
        api: Directus = mock.app.extensions[EXTENSION]
        user = api.svc.user_by_email(email)
        secret: Any = user.get("tfa_secret") if user else None
        return secret if isinstance(secret, str) and secret else None


def _realtime_banner(mock: Mock, url: str) -> list[str]:
    """Where GraphQL and the WebSocket servers answer (issue #15)."""
    lines = [f"GraphQL: POST {url}/graphql/system (auth_login, users_me, ...) and {url}/graphql"]
    rt = mock.seed.settings.realtime
    ws = "ws" + url[len("http"):] if url.startswith("http") else url
    if rt.enabled and rt.rest_enabled:
        lines.append(f"WebSocket: {ws}{rt.rest_path} (first message {{\"type\":\"auth\", ...}})")
    return lines


flavour = DirectusFlavour()

__all__ = ["DirectusFlavour", "flavour"]
