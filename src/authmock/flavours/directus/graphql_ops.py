"""The GraphQL operations of a request, for fault rules' ``match.operation``.

A rule ``{"match": {"path": "/graphql/system", "operation": "auth_refresh"}}`` applies to a
GraphQL request whose selected operation is named so, or whose operation selects that root
field (``mutation { auth_refresh(...) { ... } }``). The key is registered with the core's
fault engine when that engine offers ``register_match_key``; without it this module does
nothing.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from authmock import faults

if TYPE_CHECKING:
    from flask import Flask, Response

#: Directus's ``app.use("/graphql", ...)``: a prefix on a segment boundary, any case
_MAX_TOKENS = 5000
_GRAPHQL_PATH = re.compile(r"^/graphql(?:/|$)", re.IGNORECASE)


def _query_and_name(method: str, args: Any, body: bytes) -> tuple[Any, Any]:
    """``query`` and ``operationName`` as GraphQL-over-HTTP carries them (the query string on
    a GET, the JSON body otherwise); (None, None) when a body is not JSON."""
    if method == "GET":
        return args.get("query"), args.get("operationName")
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        return None, None
    if isinstance(payload, dict):
        return payload.get("query"), payload.get("operationName")
    return None, None


def _operation(method: str, args: Any, body: bytes) -> Any:
    """The request's selected ``OperationDefinitionNode``, or None when it has none."""
    from graphql import GraphQLError, get_operation_ast, parse

    query, name = _query_and_name(method, args, body)
    if not isinstance(query, str) or not query:
        return None
    try:
        document = parse(query, max_tokens=_MAX_TOKENS)  # Directus's own limit
        return get_operation_ast(document, name if isinstance(name, str) else None)
    except GraphQLError:
        return None


def _root_fields(operation: Any) -> list[str]:
    from graphql.language import FieldNode

    return [selection.name.value for selection in operation.selection_set.selections
            if isinstance(selection, FieldNode)]


def operations_of(method: str, args: Any, body: bytes) -> set[str]:
    """The operation name and root field names of a GraphQL request (empty when it is none)."""
    operation = _operation(method, args, body)
    if operation is None:
        return set()
    found = {operation.name.value} if operation.name else set()
    found.update(_root_fields(operation))
    return found


def journal_operation(method: str, args: Any, body: bytes) -> tuple[str, frozenset[str]] | None:
    """What the journal shows of a GraphQL request: the operation's name (an anonymous one:
    its root fields, comma-joined), and the names a journal filter finds it by (the name and
    every root field); None when the request holds no operation."""
    operation = _operation(method, args, body)
    if operation is None:
        return None
    fields = _root_fields(operation)
    name = operation.name.value if operation.name else None
    label = name if name is not None else ",".join(fields)
    if not label:
        return None
    return label, frozenset({*fields, *([name] if name else [])})


def _is_graphql(path: str) -> bool:
    return _GRAPHQL_PATH.match(path) is not None


def install(app: Flask) -> None:
    """Name each GraphQL request's operation for the journal (``g.authmock_operation``); the
    core's journal hook, registered earlier, runs after this one."""
    from flask import g, request

    @app.after_request
    def _name_operation(response: Response) -> Response:
        if _is_graphql(request.path):
            body = request.get_data(cache=True) if request.method != "GET" else b""
            g.authmock_operation = journal_operation(request.method, request.args, body)
        return response


def _parse(value: Any) -> str:
    if not isinstance(value, str) or not value:
        error: type[Exception] = getattr(faults, "FaultError", ValueError)
        raise error(
            '"match.operation" must be a GraphQL operation or root field name, '
            'e.g. "auth_refresh"'
        )
    return value


def _test(value: Any, info: Any) -> bool:
    request = info.request
    if not _is_graphql(request.path):
        return False
    body = request.get_data(cache=True) if request.method != "GET" else b""
    return value in operations_of(request.method, request.args, body)


def register() -> None:
    """Offer ``match.operation`` to fault rules (once the core's engine can take it)."""
    register_key = getattr(faults, "register_match_key", None)
    match_key = getattr(faults, "MatchKey", None)
    if register_key is not None and match_key is not None:
        register_key(match_key("operation", _parse, _test))


#: the codes each root field's resolver can raise itself (from system-global.ts / the
#: services they call); any other error of a GraphQL request comes from the REST pipeline
#: (authentication, rate limiter) and keeps REST's envelope
RESOLVER_ERRORS: dict[str, frozenset[str]] = {
    "auth_login": frozenset({"INVALID_CREDENTIALS", "INVALID_OTP", "USER_SUSPENDED",
                             "INVALID_PROVIDER_CONFIG"}),
    "auth_refresh": frozenset({"INVALID_CREDENTIALS", "USER_SUSPENDED", "INVALID_PAYLOAD",
                               "TOKEN_EXPIRED", "INVALID_TOKEN"}),
    "auth_logout": frozenset({"INVALID_PAYLOAD", "TOKEN_EXPIRED", "INVALID_TOKEN"}),
    "auth_password_request": frozenset({"INVALID_PAYLOAD"}),
    "auth_password_reset": frozenset({"INVALID_TOKEN", "TOKEN_EXPIRED", "FORBIDDEN",
                                      "FAILED_VALIDATION"}),
}
#: what a collection's ``<name>_by_id`` resolver raises
_BY_ID_ERRORS = frozenset({"FORBIDDEN"})


def graphql_error_payload(method: str, args: Any, body: bytes, code: str, message: str,
                          extensions: dict[str, Any]) -> dict[str, Any] | None:
    """The GraphQL answer a resolver error of ``code`` gives this request: every root field
    that can raise it is null with one located error each; None when no root field can (the
    error then belongs to the REST pipeline and keeps REST's envelope)."""
    from graphql import GraphQLError, get_operation_ast, parse
    from graphql.language import FieldNode

    query, name = _query_and_name(method, args, body)
    if not isinstance(query, str):
        return None
    try:
        operation = get_operation_ast(parse(query), name if isinstance(name, str) else None)
    except GraphQLError:
        return None
    if operation is None:
        return None
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        field = selection.name.value
        key = selection.alias.value if selection.alias else field
        codes = RESOLVER_ERRORS.get(field, _BY_ID_ERRORS if field.endswith("_by_id") else None)
        data[key] = None
        if codes is None or code not in codes:
            continue
        located: dict[str, Any] = {"message": message, "extensions": {"code": code, **extensions}}
        if selection.loc is not None:
            location = selection.loc.source.get_location(selection.loc.start)
            located["locations"] = [{"line": location.line, "column": location.column}]
        located["path"] = [key]
        errors.append(located)
    if not errors:
        return None
    return {"data": data, "errors": errors}


def graphql_fault_response(err: Any) -> Any:
    """For the current request: the 200 GraphQL answer of a resolver raising ``err`` (a
    ``DirectusError``), or None when the request is no GraphQL operation that could raise it."""
    from flask import request

    from authmock.flavours.directus import http as H

    if not request.path.lower().startswith("/graphql"):
        return None
    body = request.get_data(cache=True) if request.method != "GET" else b""
    payload = graphql_error_payload(
        request.method, request.args, body, err.code, err.message, dict(err.extensions)
    )
    return None if payload is None else H.json_response(payload)
