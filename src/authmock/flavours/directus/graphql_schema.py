"""The GraphQL schemas of ``/graphql/system`` and ``/graphql``, built per accountability.

Directus declares its own scalars (BigInt, Hash, Date, JSON, Void) and builds each schema from
the caller's permissions: fields a role may not read are not in the schema at all, so asking
for them is a validation error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
)
from graphql.utilities import value_from_ast_untyped

from authmock.flavours.directus import users
from authmock.flavours.directus.graphql_resolvers import (
    by_id_resolver,
    collection_resolver,
    resolve_health,
    resolve_login,
    resolve_logout,
    resolve_password_request,
    resolve_password_reset,
    resolve_ping,
    resolve_refresh,
    resolve_users_me,
)
from authmock.flavours.directus.sessions import Accountability

if TYPE_CHECKING:
    from authmock.flavours.directus.state import Directus


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


def system_schema(api: Directus, acc: Accountability) -> GraphQLSchema:
    query: dict[str, GraphQLField] = {}
    query["server_ping"] = GraphQLField(GraphQLString, resolve=resolve_ping)
    query["server_health"] = GraphQLField(GraphQLJSON, resolve=resolve_health)
    user_fields = users.readable_user_fields(api.svc, acc)
    if user_fields is not None:
        role_perm = users.role_permission(api.svc, acc)
        role = _role_type(role_perm[0]) if role_perm is not None else None
        query["users_me"] = GraphQLField(_user_type(user_fields, role), resolve=resolve_users_me)
    mutation = {
        "auth_login": GraphQLField(
            AuthTokens,
            {"email": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "password": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "mode": GraphQLArgument(AuthMode), "otp": GraphQLArgument(GraphQLString)},
            resolve=resolve_login,
        ),
        "auth_refresh": GraphQLField(
            AuthTokens,
            {"refresh_token": GraphQLArgument(GraphQLString), "mode": GraphQLArgument(AuthMode)},
            resolve=resolve_refresh,
        ),
        "auth_logout": GraphQLField(
            GraphQLBoolean,
            {"refresh_token": GraphQLArgument(GraphQLString), "mode": GraphQLArgument(AuthMode)},
            resolve=resolve_logout,
        ),
        "auth_password_request": GraphQLField(
            GraphQLBoolean,
            {"email": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "reset_url": GraphQLArgument(GraphQLString)},
            resolve=resolve_password_request,
        ),
        "auth_password_reset": GraphQLField(
            GraphQLBoolean,
            {"token": GraphQLArgument(GraphQLNonNull(GraphQLString)),
             "password": GraphQLArgument(GraphQLNonNull(GraphQLString))},
            resolve=resolve_password_reset,
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


def items_schema(api: Directus, acc: Accountability) -> GraphQLSchema:
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
            resolve=collection_resolver(name),
        )
        query[f"{name}_by_id"] = GraphQLField(
            item_type, {"id": GraphQLArgument(GraphQLNonNull(GraphQLID))},
            resolve=by_id_resolver(name),
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
