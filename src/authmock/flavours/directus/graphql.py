"""``/graphql/system`` and ``/graphql`` as Directus 11.17.4 serves them (graphql-js 16 there,
graphql-core 3.2 here: the same parser, validation rules and messages).

Read from ``middleware/graphql.ts`` (GET/POST, query/variables/operationName, parse with a
5000-token limit), ``services/graphql/index.ts`` (validate, then execute; formatted errors) and
the resolvers of ``resolvers/system-global.ts`` (``auth_*``) and ``system.ts`` (``users_me``,
``server_ping``, ``server_health``; in ``graphql_resolvers.py``). The schemas are built per
accountability (``graphql_schema.py``) and cached here; they hold the fields this fake serves,
see docs/directus.md for what is left out.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from flask import Response, request
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus.graphql_resolvers import GqlContext
from authmock.flavours.directus.graphql_schema import items_schema, system_schema
from authmock.flavours.directus.sessions import Accountability

if TYPE_CHECKING:
    from authmock.flavours.directus.state import Ctx, Directus

_SYSTEM_PATH = re.compile(r"^/graphql/system(?:/|$)", re.IGNORECASE)
#: GRAPHQL_QUERY_TOKEN_LIMIT's default
QUERY_TOKEN_LIMIT = 5000


class GraphQLEndpoint:
    """The two GraphQL routers of one app; schemas cached per scope and accountability."""

    def __init__(self, api: Directus) -> None:
        self.api = api
        self._schemas: dict[tuple[Any, ...], GraphQLSchema] = {}

    def schema(self, scope: str, acc: Accountability) -> GraphQLSchema:
        key = (scope, acc.admin, acc.app, acc.role, bool(acc.user))
        schema = self._schemas.get(key)
        if schema is None:
            build = system_schema if scope == "system" else items_schema
            schema = self._schemas[key] = build(self.api, acc)
        return schema

    def handle(self, ctx: Ctx, path: str) -> Response:
        scope = "system" if _SYSTEM_PATH.match(path) else "items"
        params = self._params(ctx)
        document = params["document"]
        schema = self.schema(scope, ctx.acc)
        errors = validate(schema, document, specified_rules)
        if errors:
            raise E.graphql_validation([format_error(e) for e in errors])
        variables = params["variables"]
        if variables is not None and not isinstance(variables, (dict, list)):
            raise E.graphql_execution([E.MSG_GRAPHQL_VARIABLES_OBJECT])
        if isinstance(variables, list):  # an Array is object-like to graphql-js: no names in it
            variables = {}
        result = execute(
            schema, document, context_value=GqlContext(self.api, ctx, ctx.acc),
            variable_values=variables, operation_name=params["operation_name"],
        )
        assert isinstance(result, ExecutionResult)
        payload: dict[str, Any] = {}
        if result.data:
            payload["data"] = result.data
        if result.errors:
            payload["errors"] = [process_error(ctx.acc, e) for e in result.errors]
        return self.api.ok(payload, ctx)

    def _params(self, ctx: Ctx) -> dict[str, Any]:
        """``parseGraphQL``: the method, then query/variables/operationName, then parse."""
        method = request.method
        if method not in ("GET", "POST"):
            raise E.method_not_allowed(method, ["GET", "POST"])
        query: Any
        if method == "GET":
            repeated = request.args.getlist("query")
            # qs makes a repeated parameter an array: not a string for new Source()
            query = repeated if len(repeated) > 1 else (_query_arg("query") or None)
            raw_variables = _query_arg("variables")
            if raw_variables:
                try:
                    variables: Any = json.loads(raw_variables)
                except ValueError:
                    raise E.invalid_query(E.REASON_VARIABLES_INVALID_JSON) from None
            else:
                variables = {}
            operation_name = _query_arg("operationName") or None
        else:
            body = ctx.body
            query = body.get("query") if isinstance(body, dict) else None
            query = query if H.js_truthy(query) else None
            variables = body.get("variables") if isinstance(body, dict) else None
            variables = variables if H.js_truthy(variables) else None
            operation_name = body.get("operationName") if isinstance(body, dict) else None
            operation_name = operation_name if H.js_truthy(operation_name) else None
        if query is None:
            raise E.invalid_payload(E.REASON_MUST_PROVIDE_QUERY)
        if not isinstance(query, str):  # new Source() asserts a string: a plain Error, "{}"
            raise E.graphql_validation([{}])
        try:
            document = parse(query, max_tokens=QUERY_TOKEN_LIMIT)
        except GraphQLError as err:
            raise E.graphql_validation([format_error(err)]) from None
        operation = get_operation_ast(
            document, operation_name if isinstance(operation_name, str) else None
        )
        if method == "GET" and (operation is None or operation.operation != OperationType.QUERY):
            raise E.method_not_allowed("GET", ["POST"])
        return {"document": document, "variables": variables, "operation_name": operation_name}


def _query_arg(name: str) -> str | None:
    values = request.args.getlist(name)
    if not values:
        return None
    return ",".join(values)


def _graphql_js_message(message: str) -> str:
    """graphql-core quotes names with ``'``, graphql-js with ``"``; a few words differ too."""
    message = message.replace("'", '"')
    for ours, theirs in E.GRAPHQL_JS_WORDING:
        message = message.replace(ours, theirs)
    return message


def format_error(error: GraphQLError) -> dict[str, Any]:
    """``GraphQLError.toJSON``: message, locations, path, extensions when non-empty."""
    out: dict[str, Any] = {"message": _graphql_js_message(error.message)}
    if error.locations is not None:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path is not None:
        out["path"] = list(error.path)
    if error.extensions:
        out["extensions"] = error.extensions
    return out


def process_error(acc: Accountability, error: GraphQLError) -> dict[str, Any]:
    """``processError``: a Directus error keeps its message and code (code first), others are
    hidden from non-admins."""
    original = error.original_error
    if isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    where: dict[str, Any] = {}
    if error.locations:
        where["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        where["path"] = list(error.path)
    if isinstance(original, E.DirectusError):
        return {
            "message": original.message,
            "extensions": {"code": original.code, **original.extensions},
            **where,
        }
    if acc.admin:
        return {
            "message": _graphql_js_message(error.message),
            "extensions": {"code": E.INTERNAL_SERVER_ERROR},
            **where,
        }
    return {"message": E.MSG_INTERNAL, "extensions": {"code": E.INTERNAL_SERVER_ERROR}}


__all__ = ["GraphQLEndpoint"]
