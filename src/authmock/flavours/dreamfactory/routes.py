"""DreamFactory's routes and pipeline: verb override, AuthCheck, AccessCheck, then the service.

df-core declares ``api``, ``api/{version}``, ``api/{version}/{service}/{resource?}`` and
``api/{service}/{resource?}`` (``routes/routes.php``), every one handed to ``RestController``,
which finds the service by name and lets it answer by its type. So here too one view takes
every ``/api`` path, and ``dispatch`` is that controller: AccessCheck runs before any service
lookup, so unknown services and resources must reach it like known ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Request, Response, request

from authmock.flavours.dreamfactory import (
    accounts,
    auth,
    data,
    errors,
    lookups,
    registration,
    sessions,
    system,
)
from authmock.flavours.dreamfactory.context import Ctx, read_request, split_path
from authmock.flavours.dreamfactory.errors import DfError, json_response
from authmock.mock import current_mock
from authmock.routing import RouteTable

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
KNOWN_VERBS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

Row = dict[str, Any]
Resource = Callable[[Ctx], Response]

routes = RouteTable()


def _verb(request: Request, source: dict[str, Any]) -> str:
    """Symfony's override (``X-HTTP-Method-Override``, ``_method``), then DreamFactory's
    ``VerbOverrides`` (``X-HTTP-Method``, ``X-Method-Override``, ``?method=``); MERGE is PATCH.
    """
    method = request.method.upper()
    environ = request.environ  # header lookups straight from the WSGI environ
    if method == "POST":
        tunnelled = source.get("_method")  # Symfony: the input source, then the query
        symfony = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE") or (
            tunnelled if isinstance(tunnelled, str) else None)
        if symfony:
            method = symfony.strip().upper()
    if method == "POST":
        override = (environ.get("HTTP_X_HTTP_METHOD")
                    or environ.get("HTTP_X_METHOD_OVERRIDE")
                    or (request.args.get("method") if environ.get("QUERY_STRING") else None))
        if override:
            method = override.strip().upper()
    if method == "MERGE":
        method = "PATCH"
    if method not in KNOWN_VERBS:
        raise DfError(405, errors.UNSUPPORTED_VERB.format(verb=method))
    return method


@routes.route(METHODS, "/api")
@routes.route(METHODS, "/api/<path:rest>")
def api(rest: str = "") -> Response:
    """Every ``/api`` request (``rest`` is empty for ``/api`` itself): read it once, run the
    two middlewares, then dispatch."""
    mock = current_mock()
    path, service, resource = split_path(rest)
    # the request itself, not the context-local proxy, for the many reads that follow
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    payload, source, query = read_request(req, mock.profile)
    ctx = Ctx(
        mock=mock,
        request=req,
        method=_verb(req, source),
        path=path,
        service=service,
        resource=resource,
        payload=payload,
        query=query,
        input=source,
    )
    auth.auth_check(ctx)
    auth.access_check(ctx)
    return dispatch(ctx)


def blueprint() -> Blueprint:
    """The flavour's Blueprint: Laravel ignores a trailing slash, so Flask must too."""
    bp = Blueprint("dreamfactory", __name__)
    routes.install(bp, strict_slashes=False)
    return bp


#: df-user's ``user`` service: its resources by (lower-cased) name, in its listing's order
USER_RESOURCES: dict[str, Resource] = {
    "password": lambda ctx: accounts.password(ctx, admin=False),
    "profile": lambda ctx: accounts.profile(ctx, admin=False),
    "register": registration.register,
    "session": lambda ctx: sessions.handle(ctx, admin=False),
}


def dispatch(ctx: Ctx) -> Response:
    """``RestController``: no service lists them all; else the active service of that name
    answers by its type (``system``, ``user``, a database, anything else)."""
    if ctx.service is None:
        return _service_list(ctx)
    service = lookups.service_by_name(ctx, ctx.service)
    if service is None or not service["is_active"]:
        raise DfError(404, errors.SERVICE_NOT_FOUND + ctx.service)
    handler = SERVICE_TYPES.get(service["type"])
    if handler is None:
        handler = data.handle if data.is_db(service) else _other_service
    return handler(ctx, service)


def _service_list(ctx: Ctx) -> Response:
    if ctx.method not in ("GET", "HEAD"):
        raise DfError(405, errors.METHOD_NOT_ALLOWED.format(method=ctx.method, path=ctx.path))
    return json_response({"resource": [
        {"name": s["name"], "label": s["label"], "description": s["description"],
         "type": s["type"]}
        for s in lookups.table(ctx, "services").values() if s["is_active"]
    ]})


def _system_service(ctx: Ctx, service: Row) -> Response:
    return system.handle(ctx)


def _user_service(ctx: Ctx, service: Row) -> Response:
    resource = USER_RESOURCES.get(ctx.component)
    if resource is not None:
        return resource(ctx)
    if not ctx.component and ctx.method in ("GET", "HEAD"):
        return json_response({"resource": [{"name": name} for name in USER_RESOURCES]})
    raise _resource_not_found(ctx, service)


def _other_service(ctx: Ctx, service: Row) -> Response:
    """A service this mock lists but models no resource of (files, logs, email...)."""
    if not ctx.resource and ctx.method in ("GET", "HEAD"):
        return json_response({"resource": []})
    raise _resource_not_found(ctx, service)


def _resource_not_found(ctx: Ctx, service: Row) -> DfError:
    return DfError(404, errors.RESOURCE_NOT_FOUND.format(resource=ctx.resource.split("/")[0],
                                                         service=service["name"]))


#: service type -> the handler that answers for it; a database type goes to ``data``
SERVICE_TYPES: dict[str, Callable[[Ctx, Row], Response]] = {
    "system": _system_service,
    "user": _user_service,
}
