"""The DreamFactory flavour: ``/api/v2`` sessions, API keys, roles, passwords and data.

Behaviour follows DreamFactory's source (df-core, df-system, df-user) as the reference notes
describe it; the ``docs`` profile reproduces the public authentication page where it
disagrees with the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from flask import Response, has_request_context, request
from werkzeug.exceptions import HTTPException

from authmock.flavour import FaultHooks, Flavour, InspectHooks
from authmock.flavours.dreamfactory import errors, faults, inspect
from authmock.flavours.dreamfactory.errors import DfError
from authmock.flavours.dreamfactory.schema import SCHEMA
from authmock.flavours.dreamfactory.seed import Seed, parse

if TYPE_CHECKING:
    from authmock.fixtures import FixtureFile
    from authmock.mock import Mock


class DreamFactoryFlavour(Flavour):
    name = "dreamfactory"
    default_port = 8080
    fixture_schema = SCHEMA
    max_content_length = 1024 * 1024
    user_statuses = faults.STATUSES
    fault_hooks: ClassVar[FaultHooks | None] = faults
    inspect_hooks: ClassVar[InspectHooks | None] = inspect
    session_tables = {"df_token_map": ("df_users", "user_id")}

    def parse_fixtures(self, fixture: FixtureFile) -> Seed:
        return parse(fixture)

    def setup(self, mock: Mock) -> None:
        from authmock.flavours.dreamfactory.routes import blueprint

        seed: Seed = mock.seed
        store = mock.store
        store.table("df_apps", seed.apps)
        store.table("df_roles", seed.roles)
        store.table("df_role_access", seed.role_access)
        store.table("df_services", seed.services)
        store.table("df_users", seed.users)
        store.table("df_user_roles", seed.user_roles)
        store.table("df_token_map", {})
        registry: dict[str, list[str]] = {}
        for service in seed.services.values():
            registry[service["name"]] = list(seed.tables.get(service["name"], {}))
        store.table("df_table_registry", registry)
        for service_name, tables in seed.tables.items():
            for table_name, rows in tables.items():
                store.table(f"df_rows:{service_name}:{table_name}", rows)
        mock.app.register_blueprint(blueprint())
        from authmock.flavours.dreamfactory import cors

        cors_options = cors.options_for(mock)
        if cors_options is not None:
            cors.install(mock, cors_options)

    def render_error(self, status: int, error: BaseException | None) -> Response:
        if isinstance(error, DfError):
            faults.default_reason(error)
            return error.get_response()
        path = request.path.strip("/") if has_request_context() else ""
        method = request.method if has_request_context() else "GET"
        if status == 404:
            message = errors.ROUTE_NOT_FOUND.format(path=path or "/")
        elif status == 405:
            message = errors.METHOD_NOT_ALLOWED.format(method=method, path=path or "/")
        elif status == 413:
            message = errors.PAYLOAD_TOO_LARGE
        elif status >= 500:
            status, message = 500, errors.SERVER_ERROR
        elif isinstance(error, HTTPException) and error.description:
            message = str(error.name)
        else:
            message = errors.SERVER_ERROR
        return DfError(status, message).get_response()

    def cors_summary(self, mock: Mock) -> str:
        if not mock.cors.enabled:
            return "off (DreamFactory's default: no CORS entry)"
        return mock.cors.describe()

    def banner(self, mock: Mock, url: str) -> list[str]:
        seed: Seed = mock.seed
        lines = [f"API base: {url}/api/v2"]
        for app in seed.apps.values():
            role = seed.roles.get(app["role_id"]) if app["role_id"] is not None else None
            suffix = f" (default role {role['name']})" if role else ""
            lines.append(f"  app {app['name']}: X-DreamFactory-API-Key: {app['api_key']}{suffix}")
        apps = {app["id"]: app["name"] for app in seed.apps.values()}
        for user in seed.users.values():
            kind = "sys admin" if user["is_sys_admin"] else "user"
            state = "" if user["is_active"] else ", inactive"
            roles = [
                f"role {seed.roles[link['role_id']]['name']} in app {apps.get(link['app_id'], '?')}"
                for link in seed.user_roles.values()
                if link["user_id"] == user["id"] and link["role_id"] in seed.roles
            ]
            state += "".join(f", {role}" for role in roles)
            endpoint = "system/admin/session" if user["is_sys_admin"] else "user/session"
            lines.append(f"  {kind} {user['email']} / {user['password']} "
                         f"(POST /api/v2/{endpoint}{state})")
        return lines


flavour = DreamFactoryFlavour()

__all__ = ["DreamFactoryFlavour", "flavour"]
