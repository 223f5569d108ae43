"""``/{service}/_table/{table}[/{id}]`` over the fixture tables (df-database).

Role checks already happened in AccessCheck; here only the resource's own errors remain:
unknown table, unknown record, empty POST payload.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from authmock.flavours.dreamfactory import errors, records
from authmock.flavours.dreamfactory.context import Ctx
from authmock.flavours.dreamfactory.errors import DfError, json_response

DB_TYPES = {"sqlite", "mysql", "pgsql", "sqlsrv", "oracle", "sqlanywhere", "ibmdb2",
            "mongodb", "couchdb", "cassandra", "dynamodb", "firebird", "snowflake"}


def table_names(ctx: Ctx, service: str) -> list[str]:
    registry: dict[str, list[str]] = ctx.mock.store.table("df_table_registry").get(service, [])
    return list(registry)


def handle(ctx: Ctx, service: dict[str, Any]) -> Response:
    parts = ctx.resource.split("/")
    if parts[0].lower() != "_table":
        if not ctx.resource and ctx.method in ("GET", "HEAD"):
            return json_response({"resource": [{"name": "_schema"}, {"name": "_table"}]})
        raise DfError(404, errors.RESOURCE_NOT_FOUND.format(resource=ctx.resource.split("/")[0],
                                                            service=service["name"]))
    names = table_names(ctx, service["name"])
    if len(parts) == 1 or not parts[1]:
        if ctx.method in ("GET", "HEAD"):
            return records.listing(ctx, [{"name": name} for name in names],
                                   lambda row: records.select_fields(ctx, row))
        raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=ctx.method, name="_table"))
    wanted = parts[1]
    match = next((n for n in names if n == wanted), None) or next(
        (n for n in names if n.lower() == wanted.lower()), None)
    if match is None:
        raise DfError(404, errors.TABLE_NOT_FOUND.format(table=wanted))
    rows_table = ctx.mock.store.table(f"df_rows:{service['name']}:{match}")
    ident = "/".join(parts[2:])
    if ctx.method in ("GET", "HEAD"):
        rows = list(rows_table.values())
        if ident:
            return json_response(records.select_fields(ctx, records.by_id(ctx, rows, ident)))
        return records.listing(ctx, rows, lambda row: records.select_fields(ctx, row))
    if ctx.method == "POST" and not ident:
        return _create(ctx, rows_table)
    raise DfError(400, errors.NOT_MODELLED.format(verb=ctx.method, resource=ctx.resource))


def _create(ctx: Ctx, rows_table: Any) -> Response:
    raw = ctx.payload.raw
    if isinstance(raw, dict) and "resource" in raw:
        items = raw["resource"]
    elif isinstance(raw, dict):
        items = [raw] if raw else []
    else:
        items = raw
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise DfError(400, errors.NO_RECORDS)
    columns: list[str] = []
    for row in rows_table.values():
        columns.extend(key for key in row if key not in columns)
    created: list[dict[str, Any]] = []
    for item in items:
        numeric = [k for k in rows_table if isinstance(k, int)]
        ident = max([0, *numeric]) + 1
        record = {"id": ident}
        for key, value in item.items():
            if key != "id" and (not columns or key in columns):
                record[key] = value
        rows_table.put(ident, record)
        created.append({"id": ident})
    return json_response({"resource": created})


def is_db(service: dict[str, Any]) -> bool:
    return str(service["type"]).lower() in DB_TYPES

