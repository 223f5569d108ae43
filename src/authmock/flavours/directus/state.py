"""What one Directus app's views share: the per-app ``Directus`` object and a request's ``Ctx``.

``setup()`` builds one ``Directus`` per app and keeps it in ``app.extensions["authmock.directus"]``;
the dispatcher hands it to every view with the request's ``Ctx``. It holds no request state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus.sessions import Accountability, DirectusService

if TYPE_CHECKING:
    from authmock.flavours.directus.config import Provider
    from authmock.flavours.directus.graphql import GraphQLEndpoint
    from authmock.mock import Mock

EXTENSION = "authmock.directus"


@dataclass
class Ctx:
    """One request as Directus's middlewares left it."""

    body: Any
    token: Any
    acc: Accountability
    cookies: list[str] = field(default_factory=list)

    def body_get(self, key: str) -> Any:
        """``req.body[key]`` (undefined → None) for objects; arrays have no keys."""
        return self.body.get(key) if isinstance(self.body, dict) else None


class Directus:
    """One app's Directus: its service, settings, providers and (lazily) GraphQL."""

    def __init__(self, mock: Mock, service: DirectusService) -> None:
        self.mock = mock
        self.svc = service
        self.settings = service.settings
        #: the seed's providers are fixed at setup: name lookups are keyed, first one wins
        self.providers_by_lower: dict[str, Provider] = {}
        for p in service.seed.providers:
            self.providers_by_lower.setdefault(p.name.lower(), p)
        self.ldap = next((p for p in service.seed.providers if p.driver == "ldap"), None)
        self._graphql: GraphQLEndpoint | None = None

    @property
    def graphql(self) -> GraphQLEndpoint:
        """The GraphQL routers, built on first use (graphql-core is imported only then)."""
        if self._graphql is None:
            from authmock.flavours.directus.graphql import GraphQLEndpoint

            self._graphql = GraphQLEndpoint(self)
        return self._graphql

    def public_url(self) -> str:
        return self.settings.public_url or request.host_url.rstrip("/")

    def cookie(self, kind: str, value: str) -> str:
        """The refresh or session cookie (an empty value clears it)."""
        s = self.settings
        if kind == "refresh":
            return H.serialize_cookie(
                s.refresh_cookie_name, value, now=self.svc.now, max_age_ms=s.refresh_ttl_ms,
                domain=s.refresh_cookie_domain, secure=s.refresh_cookie_secure,
                same_site=s.refresh_cookie_same_site,
            )
        return H.serialize_cookie(
            s.session_cookie_name, value, now=self.svc.now, max_age_ms=s.session_ttl_ms,
            domain=s.session_cookie_domain, secure=s.session_cookie_secure,
            same_site=s.session_cookie_same_site,
        )

    def error(self, err: E.DirectusError, cookies: list[str] | None = None) -> Response:
        response = H.json_response(err.envelope(), err.status, success=False)
        for name, value in err.headers.items():
            response.headers[name] = value
        for header in [*(cookies or []), *err.set_cookies]:
            response.headers.add("Set-Cookie", header)
        return response

    def ok(self, payload: Any, ctx: Ctx) -> Response:
        response = H.json_response(payload)
        for header in ctx.cookies:
            response.headers.add("Set-Cookie", header)
        return response

    def no_content(self, ctx: Ctx) -> Response:
        response = H.empty_response()
        for header in ctx.cookies:
            response.headers.add("Set-Cookie", header)
        return response


def of(app: Flask | None = None) -> Directus:
    """The ``Directus`` of ``app`` (default: the app handling the request)."""
    found: Directus = (app or current_app).extensions[EXTENSION]
    return found
