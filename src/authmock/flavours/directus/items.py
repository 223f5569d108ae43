"""``/items/<collection>`` as Directus reads a fixture collection: permission, filter, fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.users import matches

if TYPE_CHECKING:
    from authmock.flavours.directus.sessions import Accountability
    from authmock.flavours.directus.state import Directus


def fields_param() -> list[str] | None:
    """The ``fields`` query parameter (``fields=a,b``, repeated, or ``fields[]``), or None."""
    values = request.args.getlist("fields") + request.args.getlist("fields[]")
    if not values:
        return None
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out or None


def collection_rows(
    api: Directus, acc: Accountability, collection: str
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The rows of ``collection`` ``acc`` may read, and the permission that let it (None: admin)."""
    if collection.startswith("directus_"):
        raise E.forbidden()
    svc = api.svc
    items = svc.seed.collections.get(collection)
    if acc.admin:
        perm = None
    else:
        role = svc.role(acc.role)
        perms = role.permissions if (acc.user and role is not None) else (
            {} if acc.user else svc.seed.public_permissions
        )
        perm = perms.get(collection)
    if items is None or (perm is None and not acc.admin):
        api.mock.reason(f"missing permission read {collection}")
        raise E.forbidden(E.msg_collection_forbidden(collection))
    if perm is None:
        return items, None
    return [item for item in items if matches(item, perm["filter"])], perm


def project(item: dict[str, Any], perm: dict[str, Any] | None, collection: str) -> dict[str, Any]:
    """One item through ``fields`` under ``perm`` (ForbiddenError naming the unreadable ones)."""
    if perm is None or "*" in perm["fields"]:
        allowed = list(item)
    else:
        allowed = [f for f in item if f in perm["fields"]]
    requested = fields_param() or ["*"]
    out: dict[str, Any] = {}
    bad: list[str] = []
    for name in requested:
        for key in (allowed if name == "*" else [name]):
            if key in allowed:
                out[key] = item.get(key)
            elif key not in bad:
                bad.append(key)
    if bad:
        raise E.forbidden(E.msg_fields_forbidden(bad, collection))
    return out
