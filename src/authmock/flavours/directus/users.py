"""Reading ``directus_users`` rows through ``fields`` as Directus 11 does (``/users/me``).

``UsersService.readOne`` as get-ast-from-query builds it: the reader's readable fields
(``fetchAllowedFields``), the ``role`` m2o into ``directus_roles`` (parents, children, users,
policies), and the permission filters the fixture allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authmock.flavours.directus.config import CONCEALED, USER_COLUMNS, Role

if TYPE_CHECKING:
    from authmock.flavours.directus.sessions import Accountability, DirectusService

#: the built-in "own user" read permission of app-access roles (@directus/system-data)
APP_ACCESS_USER_FIELDS = (
    "id", "first_name", "last_name", "last_page", "email", "password", "location", "title",
    "description", "tags", "provider", "avatar", "language", "appearance", "theme_light",
    "theme_dark", "tfa_secret", "status", "role",
)


def readable_user_fields(svc: DirectusService, acc: Accountability) -> tuple[str, ...] | None:
    if acc.admin:
        return USER_COLUMNS
    # fetchAllowedFields: the role's permissions, then the app-access minimal ones, in
    # their lists' order (uniq); a "*" anywhere means every column in table order
    fields: list[str] = []
    role = svc.role(acc.role)
    if role is not None and "directus_users" in role.permissions:
        fields.extend(role.permissions["directus_users"]["fields"])
    if acc.app:
        fields.extend(APP_ACCESS_USER_FIELDS)
    if not fields:
        return None
    if "*" in fields:
        return USER_COLUMNS
    return tuple(dict.fromkeys(c for c in fields if c in USER_COLUMNS))

def read_me(
    svc: DirectusService, acc: Accountability, requested: list[str] | None
) -> dict[str, Any]:
    """``UsersService.readOne`` as get-ast-from-query builds it: plain fields first (in the
    requested order, ``*`` expanded in place), then relational ones (``role.…``, the
    ``policies`` o2m) in order of first mention; a ForbiddenError becomes ``{"id"}``."""
    assert acc.user is not None
    user = svc.users.get(acc.user)
    allowed = readable_user_fields(svc, acc)
    if user is None or allowed is None:
        return {"id": acc.user}
    try:
        out = read_user(svc, acc, user, allowed, requested)
    except (Forbidden, Unsupported):
        return {"id": acc.user}
    return out if out else {"id": acc.user}

def read_user(
    svc: DirectusService,
    acc: Accountability,
    user: dict[str, Any],
    allowed: tuple[str, ...],
    requested: list[str] | None,
) -> dict[str, Any]:
    """One directus_users row through ``fields``; raises Forbidden / Unsupported."""
    plain, nested = _split_fields(requested or ["*"], allowed, USER_RELATIONS)
    out: dict[str, Any] = {}
    for column in plain:
        value = user.get(column)
        if column in CONCEALED and value is not None:
            value = "**********"
        out[column] = value
    for column, sub in nested.items():
        if column == "policies":
            if sub:
                raise Unsupported
            out[column] = user.get(column)
            continue
        found, value = _read_role(svc, acc, user.get("role"), sub)
        if found:
            out[column] = value
    return out

# the role relation (directus_roles) -----------------------------------------------
def role_permission(
    svc: DirectusService, acc: Accountability
) -> tuple[tuple[str, ...], Any] | None:
    """Readable directus_roles fields and a row test; None without read permission."""
    if acc.admin:
        return ROLE_COLUMNS, lambda row: True
    tests: list[Any] = []
    fields: set[str] = set()
    if acc.app:  # app-access minimal permissions: fields *, id _in $CURRENT_ROLES
        current = current_roles(svc, acc.role)
        fields.update(ROLE_COLUMNS)
        tests.append(lambda row: row["id"] in current)
    role = svc.role(acc.role)
    if role is not None and "directus_roles" in role.permissions:
        perm = role.permissions["directus_roles"]
        fields.update(ROLE_COLUMNS if "*" in perm["fields"] else perm["fields"])
        tests.append(lambda row, f=perm["filter"]: matches(row, f))
    if not tests:
        return None
    return tuple(c for c in ROLE_COLUMNS if c in fields), lambda row: any(t(row) for t in tests)

def current_roles(svc: DirectusService, role_id: str | None) -> list[str]:
    """``$CURRENT_ROLES``: the role and its parents."""
    out: list[str] = []
    role = svc.role(role_id)
    while role is not None and role.id not in out:
        out.append(role.id)
        role = svc.role(role.parent)
    return out

def user_visible(svc: DirectusService, acc: Accountability, row: dict[str, Any]) -> bool | None:
    """Whether a directus_users row is readable; None without any read permission."""
    if acc.admin:
        return True
    verdicts: list[bool] = []
    if acc.app:
        verdicts.append(row.get("id") == acc.user)
    role = svc.role(acc.role)
    if role is not None and "directus_users" in role.permissions:
        verdicts.append(matches(row, role.permissions["directus_users"]["filter"]))
    return any(verdicts) if verdicts else None

def _role_row(role: Role) -> dict[str, Any]:
    return {
        "id": role.id, "name": role.name, "icon": role.icon,
        "description": role.description, "parent": role.parent,
    }

def _read_role(
    svc: DirectusService, acc: Accountability, role_id: Any, sub: list[str]
) -> tuple[bool, Any]:
    """The ``role`` m2o node: (False, None) when Directus drops it (no read permission on
    directus_roles), else its value: None, the nested object, or the id without fields."""
    perm = role_permission(svc, acc)
    if perm is None:
        return False, None
    readable, visible = perm
    plain, nested = _split_fields(sub, readable, ROLE_RELATIONS)
    role = svc.role(role_id) if isinstance(role_id, str) else None
    if role is None:
        return True, None
    row = _role_row(role)
    if not visible(row):
        return True, None
    out: dict[str, Any] = {column: row[column] for column in plain}
    for column, deeper in nested.items():
        if column == "parent":  # m2o back into directus_roles
            found, value = _read_role(svc, acc, role.parent, deeper)
            if found:
                out[column] = value
            continue
        if column == "children":
            kids = sorted(r.id for r in svc.seed.roles.values() if r.parent == role.id)
            kids = [k for k in kids if visible(_role_row(svc.seed.roles[k]))]
            out[column] = [_read_role(svc, acc, k, deeper)[1] for k in kids] if deeper else kids
            continue
        if deeper:
            raise Unsupported
        if column == "users":
            members = sorted(
                (u for u in svc.users.values() if u.get("role") == role.id),
                key=lambda u: str(u.get("id")),
            )
            if user_visible(svc, acc, {"id": acc.user}) is None:
                continue  # no read permission on directus_users: the node is dropped
            out[column] = [u["id"] for u in members if user_visible(svc, acc, u)]
        if column == "policies":
            own = svc.role(acc.role)
            if not acc.admin and (own is None or "directus_access" not in own.permissions):
                continue  # no read permission on directus_access: the node is dropped
            out[column] = list(role.policies)
    if not out:
        return True, role.id  # removeTemporaryFields: no fields left → the primary key
    return True, out


#: relational fields Directus treats as nested nodes, per collection
USER_RELATIONS = ("role", "policies")
ROLE_COLUMNS = ("id", "name", "icon", "description", "parent", "children", "policies", "users")
ROLE_RELATIONS = ("parent", "children", "policies", "users")
#: o2m aliases: relational even without a dot ("top level o2m fields")
_O2M = {"policies", "children", "users"}


class Forbidden(Exception):
    """A field that is unknown or not readable (Directus's ForbiddenError)."""


class Unsupported(Exception):
    """A relation path the fake does not expand (treated like the fallback)."""


def _split_fields(
    requested: list[str], allowed: tuple[str, ...], relations: tuple[str, ...]
) -> tuple[list[str], dict[str, list[str]]]:
    """parseFields: (plain fields, relational root → nested field list).

    A dotted path on a field that is no relation is dropped (Directus skips it); a plain field
    also requested as a relation is dropped in favour of the nested node."""
    plain: list[str] = []
    nested: dict[str, list[str]] = {}
    for name in requested:
        for item in (list(allowed) if name == "*" else [name]):
            root, dot, rest = item.partition(".")
            if dot and root not in relations:
                continue
            if dot or root in _O2M:
                if root not in allowed:
                    raise Forbidden
                nested.setdefault(root, [])
                if dot:
                    nested[root].append(rest)
                continue
            if item not in allowed:
                raise Forbidden
            if item not in plain:
                plain.append(item)
    return [c for c in plain if c not in nested], nested


def matches(item: dict[str, Any], filt: dict[str, Any]) -> bool:
    """A permission filter (the operators the fixture accepts) against one row."""
    for key, cond in filt.items():
        value = item.get(key)
        for op, arg in cond.items():
            if op == "_eq" and value != arg:
                return False
            if op == "_neq" and value == arg:
                return False
            if op == "_in" and value not in (arg if isinstance(arg, list) else [arg]):
                return False
            if op == "_nin" and value in (arg if isinstance(arg, list) else [arg]):
                return False
            if op == "_null" and (value is None) != bool(arg):
                return False
            if op == "_nnull" and (value is not None) != bool(arg):
                return False
    return True
