"""``/graphql/system`` and ``/graphql`` as Directus 11.17.4 serves them (graphql-js 16 there,
graphql-core 3.2 here: the same parser, validation rules and messages).

Read from ``middleware/graphql.ts`` (GET/POST, query/variables/operationName, parse with a
5000-token limit), ``services/graphql/index.ts`` (validate, then execute; formatted errors) and
the resolvers of ``resolvers/system-global.ts`` (``auth_*``) and ``system.ts`` (``users_me``,
``server_ping``, ``server_health``). Every resolver calls the same ``DirectusService`` methods as
the REST routes, and sets cookies with the same ``Directus.cookie`` (``state.py``).

The schema is built per accountability, as Directus builds it from the caller's permissions:
fields a role may not read are not in the schema at all, so asking for them is a validation
error. It holds the fields this fake serves; see docs/directus.md for what is left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Response, request
from graphql import (
    ExecutionResult,
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode
from graphql.utilities import value_from_ast_untyped

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus import password_reset, users
from authmock.flavours.directus.items import collection_rows
from authmock.flavours.directus.sessions import Accountability

if TYPE_CHECKING:
    from authmock.flavours.directus.state import Ctx, Directus

#: ``router.use("/system", ...)`` inside ``/graphql``: a prefix match, any case
_SYSTEM_PATH = re.compile(r"^/graphql/system(?:/|$)", re.IGNORECASE)
#: GRAPHQL_QUERY_TOKEN_LIMIT's default
QUERY_TOKEN_LIMIT = 5000


# scalars as Directus declares them ---------------------------------------------------------
def _js_number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bigint_serialize(value: Any) -> Any:
    if not value:
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("Value must be a Number")
    return _js_number_text(value)


def _json_literal(node: Any, variables: Any = None) -> Any:
    return value_from_ast_untyped(node, variables)


def _null_literal(_node: Any, _variables: Any = None) -> None:
    return None


GraphQLBigInt = GraphQLScalarType(
    "GraphQLBigInt", description="BigInt value", serialize=_bigint_serialize,
)
GraphQLHash = GraphQLScalarType(
    "Hash", description="Hashed string values", serialize=GraphQLString.serialize,
    parse_value=GraphQLString.parse_value, parse_literal=GraphQLString.parse_literal,
)
GraphQLDate = GraphQLScalarType(
    "Date", description="ISO8601 Date values", serialize=GraphQLString.serialize,
    parse_value=GraphQLString.parse_value, parse_literal=GraphQLString.parse_literal,
)
GraphQLJSON = GraphQLScalarType(
    "JSON",
    description=(
        "The `JSON` scalar type represents JSON values as specified by "
        "[ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf)."
    ),
    serialize=lambda value: value,
    parse_value=lambda value: value,
    parse_literal=_json_literal,
)
GraphQLVoid = GraphQLScalarType(
    "Void", description="Represents NULL values",
    serialize=lambda _value: None, parse_value=lambda _value: None,
    parse_literal=_null_literal,
)

AuthMode = GraphQLEnumType(
    "auth_mode",
    {"json": GraphQLEnumValue("json"), "cookie": GraphQLEnumValue("cookie"),
     "session": GraphQLEnumValue("session")},
)
AuthTokens = GraphQLObjectType(
    "auth_tokens",
    {"access_token": GraphQLField(GraphQLString), "expires": GraphQLField(GraphQLBigInt),
     "refresh_token": GraphQLField(GraphQLString)},
)

#: directus_users columns by their Directus type (uuid → ID, conceal → Hash, json → JSON, ...)
_USER_TYPES: dict[str, GraphQLOutputType] = {
    "id": GraphQLNonNull(GraphQLID), "tags": GraphQLJSON, "password": GraphQLHash,
    "tfa_secret": GraphQLHash, "token": GraphQLHash, "last_access": GraphQLDate,
    "auth_data": GraphQLJSON, "email_notifications": GraphQLBoolean,
    "theme_light_overrides": GraphQLJSON, "theme_dark_overrides": GraphQLJSON,
}
#: relations this fake does not expose through GraphQL (directus_files, directus_access)
_USER_SKIPPED = ("avatar", "policies")


@dataclass
class GqlContext:
    """What a resolver gets as ``info.context``: Directus's ``{req, res}`` and accountability."""

    api: Directus
    ctx: Ctx
    acc: Accountability


def _context(info: GraphQLResolveInfo) -> GqlContext:
    found: GqlContext = info.context
    return found


# selections → Directus field paths ----------------------------------------------------------
def _field_paths(info: GraphQLResolveInfo, selections: Any, prefix: str = "") -> list[str]:
    """``getQuery``'s fields: ``role { id name }`` → ``role.id``, ``role.name``; fragments
    inlined; ``__typename`` skipped."""
    out: list[str] = []
    for node in selections or ():
        out.extend(_paths_of(info, node, prefix))
    return out


def _paths_of(info: GraphQLResolveInfo, node: SelectionNode, prefix: str) -> list[str]:
    if isinstance(node, FieldNode):
        name = node.name.value
        if name.startswith("__"):
            return []
        if node.selection_set is not None:
            inner = _field_paths(info, node.selection_set.selections, f"{prefix}{name}.")
            return inner or [f"{prefix}{name}"]
        return [f"{prefix}{name}"]
    if isinstance(node, InlineFragmentNode):
        return _field_paths(info, node.selection_set.selections, prefix)
    if isinstance(node, FragmentSpreadNode):
        fragment = info.fragments.get(node.name.value)
        return _field_paths(info, fragment.selection_set.selections, prefix) if fragment else []
    return []


# resolvers (each the body of Directus's, on the shared service) -----------------------------
def _tokens_payload(c: GqlContext, mode: str, issued: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"expires": issued.expires_ms}
    if mode == "json":
        payload["refresh_token"] = issued.refresh_token
        payload["access_token"] = issued.access_token
    if mode == "cookie":
        c.ctx.cookies.append(c.api.cookie("refresh", issued.refresh_token))
        payload["access_token"] = issued.access_token
    if mode == "session":
        c.ctx.cookies.append(c.api.cookie("session", issued.access_token))
    return payload


def _resolve_login(_root: Any, info: GraphQLResolveInfo, email: str, password: str,
                   mode: str | None = None, otp: str | None = None) -> dict[str, Any]:
    c = _context(info)
    if c.api.settings.disable_default:  # AUTH_DISABLE_DEFAULT: no "default" provider registered
        raise E.invalid_provider_config("default")
    mode = mode or "json"
    svc = c.api.svc
    issued = svc.login("default", svc.user_by_email(email), password, otp, mode == "session")
    return _tokens_payload(c, mode, issued)


def _current_refresh_token(c: GqlContext, mode: str, given: str | None) -> Any:
    token: Any = None
    if mode == "json":
        token = given
    elif mode == "cookie":
        token = request.cookies.get(c.api.settings.refresh_cookie_name)
    elif mode == "session":
        from authmock.flavours.directus.sessions import is_directus_jwt

        cookie = request.cookies.get(c.api.settings.session_cookie_name)
        if is_directus_jwt(cookie):
            token = c.api.svc.verify_access(str(cookie)).get("session")
    if not H.js_truthy(token):
        raise E.invalid_payload(E.REASON_REFRESH_TOKEN_REQUIRED)
    return token


def _resolve_refresh(_root: Any, info: GraphQLResolveInfo, refresh_token: str | None = None,
                     mode: str | None = None) -> dict[str, Any]:
    c = _context(info)
    mode = mode or "json"
    token = _current_refresh_token(c, mode, refresh_token)
    issued = c.api.svc.refresh(token, mode == "session")
    return _tokens_payload(c, mode, issued)


def _resolve_logout(_root: Any, info: GraphQLResolveInfo, refresh_token: str | None = None,
                    mode: str | None = None) -> bool:
    c = _context(info)
    token = _current_refresh_token(c, mode or "json", refresh_token)
    c.api.svc.logout(token)
    if request.cookies.get(c.api.settings.refresh_cookie_name):
        c.ctx.cookies.append(c.api.cookie("refresh", ""))
    if request.cookies.get(c.api.settings.session_cookie_name):
        c.ctx.cookies.append(c.api.cookie("session", ""))
    return True


def _resolve_password_request(_root: Any, info: GraphQLResolveInfo, email: str,
                              reset_url: str | None = None) -> bool:
    c = _context(info)
    try:
        password_reset.request_reset(c.api.svc, email, reset_url or None, c.api.public_url())
    except E.DirectusError as err:
        if err.code == E.INVALID_PAYLOAD:
            raise
    if c.api.mock.realistic_timing:
        c.api.mock.stall(0.5)
    return True


def _resolve_password_reset(_root: Any, info: GraphQLResolveInfo, token: str,
                            password: str) -> bool:
    c = _context(info)
    password_reset.reset_password(c.api.svc, token, password)
    return True


def _resolve_users_me(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any] | None:
    c = _context(info)
    if not c.acc.user:
        return None
    node = info.field_nodes[0]
    fields = _field_paths(info, node.selection_set.selections if node.selection_set else ())
    return users.read_me(c.api.svc, c.acc, fields or ["id"])


def _resolve_ping(_root: Any, _info: GraphQLResolveInfo) -> str:
    return E.PONG


def _resolve_health(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    from authmock.flavours.directus.server_info import health

    c = _context(info)
    return health(c.api, c.acc)


# the schema --------------------------------------------------------------------------------
def _role_type(readable: tuple[str, ...]) -> GraphQLObjectType:
    def fields() -> dict[str, GraphQLField]:
        out: dict[str, GraphQLField] = {}
        for column in readable:
            if column == "id":
                out[column] = GraphQLField(GraphQLNonNull(GraphQLID))
            elif column == "parent":
                out[column] = GraphQLField(role)
            elif column == "children":
                out[column] = GraphQLField(GraphQLList(role))
            elif column in ("name", "icon", "description"):
                out[column] = GraphQLField(GraphQLString)
        return out

    role = GraphQLObjectType("directus_roles", fields)
    return role


def _user_type(user_fields: tuple[str, ...], role: GraphQLObjectType | None) -> GraphQLObjectType:
    fields: dict[str, GraphQLField] = {}
    for column in user_fields:
        if column in _USER_SKIPPED:
            continue
        if column == "role":
            fields[column] = GraphQLField(role if role is not None else GraphQLString)
        else:
            fields[column] = GraphQLField(_USER_TYPES.get(column, GraphQLString))
    return GraphQLObjectType("directus_users", fields)


def _system_schema(api: Directus, acc: Accountability) -> GraphQLSchema:
    query: dict[str, GraphQLField] = {}
    query["server_ping"] = GraphQLField(GraphQLString, resolve=_resolve_ping)
    query["server_health"] = GraphQLField(GraphQLJSON, resolve=_resolve_health)
    user_fields = users.readable_user_fields(api.svc, acc)
    if user_fields is not None:
        role_perm = users.role_permission(api.svc, acc)
        role = _role_type(role_perm[0]) if role_perm is not None else None
        query["users_me"] = GraphQLField(_user_type(user_fields, role), resolve=_resolve_users_me)
    mutation = {
        "auth_login": GraphQLField(
            AuthTokens,
            {"email": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "password": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "mode": GraphQLArgument(AuthMode), "otp": GraphQLArgument(GraphQLString)},
            resolve=_resolve_login,
        ),
        "auth_refresh": GraphQLField(
            AuthTokens,
            {"refresh_token": GraphQLArgument(GraphQLString), "mode": GraphQLArgument(AuthMode)},
            resolve=_resolve_refresh,
        ),
        "auth_logout": GraphQLField(
            GraphQLBoolean,
            {"refresh_token": GraphQLArgument(GraphQLString), "mode": GraphQLArgument(AuthMode)},
            resolve=_resolve_logout,
        ),
        "auth_password_request": GraphQLField(
            GraphQLBoolean,
            {"email": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "reset_url": GraphQLArgument(GraphQLString)},
            resolve=_resolve_password_request,
        ),
        "auth_password_reset": GraphQLField(
            GraphQLBoolean,
            {"token": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "password": GraphQLArgument(GraphQLNonNull(GraphQLString))},
            resolve=_resolve_password_reset,
        ),
    }
    return GraphQLSchema(
        GraphQLObjectType("Query", query), GraphQLObjectType("Mutation", mutation),
        types=[GraphQLVoid],
    )


def _scalar_for(values: list[Any]) -> GraphQLOutputType:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return GraphQLBoolean
    if kinds == {int}:
        return GraphQLInt
    if kinds and kinds <= {int, float}:
        return GraphQLFloat
    if kinds and kinds <= {str}:
        return GraphQLString
    return GraphQLJSON if kinds else GraphQLString


def _collection_args() -> dict[str, GraphQLArgument]:
    return {
        "sort": GraphQLArgument(GraphQLList(GraphQLString)),
        "limit": GraphQLArgument(GraphQLInt),
        "offset": GraphQLArgument(GraphQLInt),
        "page": GraphQLArgument(GraphQLInt),
    }


def _items_schema(api: Directus, acc: Accountability) -> GraphQLSchema:
    query: dict[str, GraphQLField] = {}
    for name, items in api.svc.seed.collections.items():
        perm = _read_permission(api, acc, name)
        if perm is False:
            continue
        columns: list[str] = []
        for item in items:
            columns.extend(k for k in item if k not in columns)
        if isinstance(perm, dict) and "*" not in perm["fields"]:
            columns = [c for c in columns if c in perm["fields"]]
        fields = {
            column: GraphQLField(
                GraphQLNonNull(GraphQLID) if column == "id"
                else _scalar_for([item.get(column) for item in items])
            )
            for column in columns
        }
        if not fields:
            continue
        item_type = GraphQLObjectType(name, fields)
        query[name] = GraphQLField(
            GraphQLNonNull(GraphQLList(GraphQLNonNull(item_type))), _collection_args(),
            resolve=_collection_resolver(name),
        )
        query[f"{name}_by_id"] = GraphQLField(
            item_type, {"id": GraphQLArgument(GraphQLNonNull(GraphQLID))},
            resolve=_by_id_resolver(name),
        )
    if not query:
        query["_empty"] = GraphQLField(GraphQLVoid, description="There's no data to query.")
    return GraphQLSchema(GraphQLObjectType("Query", query), types=[GraphQLVoid])


def _read_permission(api: Directus, acc: Accountability, collection: str) -> Any:
    """None: every field (admin); a permission dict; False: not readable."""
    if acc.admin:
        return None
    role = api.svc.role(acc.role)
    if acc.user:
        perms = role.permissions if role is not None else {}
    else:
        perms = api.svc.seed.public_permissions
    return perms.get(collection, False)


def _collection_resolver(collection: str) -> Any:
    def resolve(_root: Any, info: GraphQLResolveInfo, sort: list[str] | None = None,
                limit: int | None = None, offset: int | None = None,
                page: int | None = None) -> list[dict[str, Any]]:
        c = _context(info)
        rows, _perm = collection_rows(c.api, c.ctx.acc, collection)
        rows = list(rows)
        for key in reversed(sort or []):
            rows.sort(key=_sort_key(key.lstrip("-")), reverse=key.startswith("-"))
        count = 100 if limit is None else limit
        start = offset if offset is not None else (
            (page - 1) * count if page is not None and count >= 0 else 0
        )
        rows = rows[max(start, 0):]
        return rows[:count] if count >= 0 else rows

    return resolve


def _sort_key(field: str) -> Any:
    def key(row: dict[str, Any]) -> tuple[bool, float, str]:
        value = row.get(field)
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
        return value is not None, float(number), "" if value is None else str(value)

    return key


def _by_id_resolver(collection: str) -> Any:
    def resolve(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
        c = _context(info)
        rows, _perm = collection_rows(c.api, c.ctx.acc, collection)
        found = next((r for r in rows if str(r.get("id")) == id), None)
        if found is None:
            raise E.forbidden()
        return found

    return resolve


class GraphQLEndpoint:
    """The two GraphQL routers of one app; schemas cached per scope and accountability."""

    def __init__(self, api: Directus) -> None:
        self.api = api
        self._schemas: dict[tuple[Any, ...], GraphQLSchema] = {}

    def schema(self, scope: str, acc: Accountability) -> GraphQLSchema:
        key = (scope, acc.admin, acc.app, acc.role, bool(acc.user))
        schema = self._schemas.get(key)
        if schema is None:
            build = _system_schema if scope == "system" else _items_schema
            schema = self._schemas[key] = build(self.api, acc)
        return schema

    def handle(self, ctx: Ctx, path: str) -> Response:
        scope = "system" if _SYSTEM_PATH.match(path) else "items"
        params = self._params(ctx)
        document = params["document"]
        schema = self.schema(scope, ctx.acc)
        errors = validate(schema, document, specified_rules)
        if errors:
            raise E.graphql_validation([_formatted(e) for e in errors])
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
            payload["errors"] = [_process_error(ctx.acc, e) for e in result.errors]
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
            raise E.graphql_validation([_formatted(err)]) from None
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


def _formatted(error: GraphQLError) -> dict[str, Any]:
    """``GraphQLError.toJSON``: message, locations, path, extensions when non-empty."""
    out: dict[str, Any] = {"message": _graphql_js_message(error.message)}
    if error.locations is not None:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path is not None:
        out["path"] = list(error.path)
    if error.extensions:
        out["extensions"] = error.extensions
    return out


def _process_error(acc: Accountability, error: GraphQLError) -> dict[str, Any]:
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
