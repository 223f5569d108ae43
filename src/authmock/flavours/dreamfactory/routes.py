"""The one ``/api/...`` route and DreamFactory's pipeline: verb override, AuthCheck,
AccessCheck, then the service. A single catch-all is deliberate: AccessCheck runs before any
service lookup, so unknown services and resources must reach it like known ones.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Request, Response, request

from authmock.flavours.dreamfactory import accounts, auth, data, errors, lookups, sessions, system
from authmock.flavours.dreamfactory.context import Ctx, read_request, split_path
from authmock.flavours.dreamfactory.errors import DfError, json_response
from authmock.mock import current_mock

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
KNOWN_VERBS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


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


def blueprint() -> Blueprint:
    bp = Blueprint("dreamfactory", __name__)

    @bp.route("/api", defaults={"rest": ""}, methods=METHODS, strict_slashes=False)
    @bp.route("/api/<path:rest>", methods=METHODS, strict_slashes=False)
    def api(rest: str) -> Response:
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

    return bp


def dispatch(ctx: Ctx) -> Response:
    if ctx.service is None:
        if ctx.method not in ("GET", "HEAD"):
            raise DfError(405, errors.METHOD_NOT_ALLOWED.format(method=ctx.method,
                                                                path=ctx.path))
        return json_response({"resource": [
            {"name": s["name"], "label": s["label"], "description": s["description"],
             "type": s["type"]}
            for s in lookups.table(ctx, "services").values() if s["is_active"]
        ]})
    service = lookups.service_by_name(ctx, ctx.service)
    if service is None or not service["is_active"]:
        raise DfError(404, errors.SERVICE_NOT_FOUND + ctx.service)
    kind = service["type"]
    if kind == "system":
        return system.handle(ctx)
    if kind == "user":
        component = ctx.component
        if component == "session":
            return sessions.handle(ctx, admin=False)
        if component == "password":
            return accounts.password(ctx, admin=False)
        if component == "register":
            return accounts.register(ctx)
        if component == "profile":
            return accounts.profile(ctx, admin=False)
        if not component and ctx.method in ("GET", "HEAD"):
            return json_response({"resource": [{"name": n} for n in
                                               ("password", "profile", "register", "session")]})
    elif data.is_db(service):
        return data.handle(ctx, service)
    elif not ctx.resource and ctx.method in ("GET", "HEAD"):
        return json_response({"resource": []})
    raise DfError(404, errors.RESOURCE_NOT_FOUND.format(resource=ctx.resource.split("/")[0],
                                                        service=service["name"]))
