"""The flavour's store tables and the lookups the middleware and resources share: an app by
its API key, a service by name, a user's role for an app, a login's user.

Rows are plain dicts shaped like DreamFactory's columns (``seed.py`` builds them); a lookup
never changes one.
"""

from __future__ import annotations

import hashlib
from typing import Any

from authmock.flavours.dreamfactory.context import Ctx
from authmock.tokens import constant_time_equals


def table(ctx_or_mock: Any, name: str) -> Any:
    mock = getattr(ctx_or_mock, "mock", ctx_or_mock)
    try:
        return mock.store[_TABLES[name]]  # created at setup: no need for table()'s lock
    except KeyError:
        return mock.store.table(f"df_{name}")


_TABLES = {name: f"df_{name}" for name in ("apps", "roles", "role_access", "services", "users",
                                           "user_roles", "token_map")}


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def find_app(ctx: Ctx, api_key: str | None) -> dict[str, Any] | None:
    if not api_key:
        return None
    apps = table(ctx, "apps")
    found: dict[str, Any] | None = apps.find(
        lambda app: constant_time_equals(app["api_key"], api_key)
    )
    return found


def service_by_name(ctx: Ctx, name: str) -> dict[str, Any] | None:
    """The service row called ``name``; looked up once per request (AccessCheck and the
    dispatch both ask), as no request changes the services."""
    memo = ctx.services
    if name in memo:
        return memo[name]
    found: dict[str, Any] | None = table(ctx, "services").find(lambda s: s["name"] == name)
    memo[name] = found
    return found


def user_role_links(ctx: Ctx, user_id: int) -> list[dict[str, Any]]:
    return [link for link in table(ctx, "user_roles").values() if link["user_id"] == user_id]


def is_sys_admin(ctx: Ctx, user: dict[str, Any] | None) -> bool:
    """``is_sys_admin`` and no user-app-role rows (otherwise a role-checked admin)."""
    return bool(user and user["is_sys_admin"] and not user_role_links(ctx, user["id"]))


def resolve_role(
    ctx: Ctx, user: dict[str, Any] | None, app: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The user's role for this app, else any role of the user, else the app's default."""
    if app is None:
        return None
    roles = table(ctx, "roles")
    if user is not None:
        links = user_role_links(ctx, user["id"])
        for link in links:
            if link["app_id"] == app["id"] and link["role_id"] in roles:
                role: dict[str, Any] = roles[link["role_id"]]
                return role
        for link in links:
            if link["role_id"] in roles:
                any_role: dict[str, Any] = roles[link["role_id"]]
                return any_role
    if app["role_id"] is not None and app["role_id"] in roles:
        default: dict[str, Any] = roles[app["role_id"]]
        return default
    return None


def find_login_user(
    ctx: Ctx, email: Any, password: Any, *, admin: bool | None, active_only: bool = True
) -> dict[str, Any] | None:
    """The user matching e-mail and password (active only unless asked; admin flag if given)."""
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    wanted = email.strip().casefold()
    for user in table(ctx, "users").values():
        if (user["email"].casefold() == wanted and (user["is_active"] or not active_only)
                and (admin is None or bool(user["is_sys_admin"]) == admin)
                and constant_time_equals(user["password"], password)):
            found: dict[str, Any] = user
            return found
    return None


def user_by_email(ctx: Ctx, email: str) -> dict[str, Any] | None:
    """The user with this e-mail, whatever its case and surrounding blanks."""
    wanted = email.strip().casefold()
    found: dict[str, Any] | None = table(ctx, "users").find(
        lambda user: user["email"].casefold() == wanted
    )
    return found
