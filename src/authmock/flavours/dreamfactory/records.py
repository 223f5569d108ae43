"""Record listings shared by ``/system/*`` and ``/{service}/_table/*``.

DreamFactory wraps lists as ``{"resource":[...]}`` (``DF_ALWAYS_WRAP_RESOURCES``), answers
a single id with the bare record, and honours ``fields``, ``ids``, ``limit``, ``offset``,
``include_count``, ``count_only`` and ``wrap`` on the query string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Response

from authmock.flavours.dreamfactory import errors
from authmock.flavours.dreamfactory.context import Ctx, php_bool
from authmock.flavours.dreamfactory.errors import DfError, json_response

Row = dict[str, Any]


def select_fields(ctx: Ctx, row: Row, always: tuple[str, ...] = ()) -> Row:
    fields = ctx.query.get("fields")
    if not fields or fields.strip() == "*":
        return row
    wanted = {name.strip() for name in fields.split(",") if name.strip()}
    out = {name: value for name, value in row.items() if name in wanted}  # array_intersect_key
    for name in always:
        if name in row and name not in out:
            out[name] = row[name]
    return out


def _int_param(ctx: Ctx, name: str) -> int | None:
    value = ctx.query.get(name)
    if value is None or not value.strip().lstrip("-").isdigit():
        return None
    return int(value)


def listing(ctx: Ctx, rows: Iterable[Row], show: Callable[[Row], Row]) -> Response:
    """``{"resource":[...]}`` (+ ``meta.count``) after ids/offset/limit and ``fields=``."""
    chosen = list(rows)
    ids = ctx.query.get("ids")
    if ids:
        wanted = [part.strip() for part in ids.split(",") if part.strip()]
        by_id = {str(row.get("id")): row for row in chosen}
        chosen = [by_id[i] for i in wanted if i in by_id]
    total = len(chosen)
    if php_bool(ctx.query.get("count_only")):
        return json_response(total)
    offset = _int_param(ctx, "offset") or 0
    limit = _int_param(ctx, "limit")
    chosen = chosen[max(offset, 0):]
    if limit is not None and limit > 0:
        chosen = chosen[:limit]
    resources = [show(row) for row in chosen]
    wrap = ctx.query.get("wrap")
    if wrap is not None and not php_bool(wrap) and wrap.strip().lower() in ("false", "0",
                                                                             "off", "no"):
        return json_response(resources)
    body: dict[str, Any] = {"resource": resources}
    if php_bool(ctx.query.get("include_count")):
        body["meta"] = {"count": total}
    return json_response(body)


def by_id(ctx: Ctx, rows: Iterable[Row], ident: str) -> Row:
    for row in rows:
        if str(row.get("id")) == ident:
            return row
    raise DfError(404, errors.RECORD_NOT_FOUND.format(id=ident))
