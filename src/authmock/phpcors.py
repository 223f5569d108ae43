"""fruitcake/php-cors's ``CorsService`` as Laravel's ``HandleCors`` middleware drives it.

Laravel-based products (Paystub's Laravel app, DreamFactory's df-core) answer CORS through this
pair; their flavours give it their options (``config/cors.php``, or DreamFactory's CORS entry).
What it writes, from php-cors 1.x:

- ``Access-Control-Allow-Origin``: ``*`` when every origin is allowed and credentials are not;
  the one configured origin when exactly one is listed (and no pattern); otherwise the request's
  ``Origin`` when allowed, nothing when refused, and ``Vary: Origin`` either way.
- only when an ``Access-Control-Allow-Origin`` was written: ``Access-Control-Allow-Credentials:
  true`` (with credentials), then on a preflight ``-Allow-Methods`` / ``-Allow-Headers`` (the
  request's own, plus ``Vary``, for ``*``; else the list joined with ``", "``, headers lower-cased)
  and ``-Max-Age``; on other answers ``-Expose-Headers``.
- ``HandleCors``: a preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered
  before routing and gets ``Vary: Access-Control-Request-Method``; so does any other ``OPTIONS``.
Headers are *set*, never added twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Request, Response

from authmock.cors import LOOPBACK_ORIGIN, CorsPolicy

#: marks a request whose answer is a preflight's (HandleCors returns it without labelling it)
PREFLIGHT = "authmock.phpcors.preflight"


@dataclass(frozen=True)
class CorsOptions:
    """php-cors options, already normalised; the defaults are Laravel's ``config/cors.php``."""

    allowed_origins: tuple[str, ...] = ("*",)
    allowed_origins_patterns: tuple[re.Pattern[str], ...] = ()
    allowed_methods: tuple[str, ...] = ("*",)
    allowed_headers: tuple[str, ...] = ("*",)
    exposed_headers: tuple[str, ...] = ()
    max_age: int | None = 0
    supports_credentials: bool = False

    @property
    def allow_all_origins(self) -> bool:
        return "*" in self.allowed_origins

    def origin_allowed(self, origin: str) -> bool:
        if self.allow_all_origins or origin in self.allowed_origins:
            return True
        return any(p.search(origin) for p in self.allowed_origins_patterns)


def development_options(
    policy: CorsPolicy,
    *,
    methods: tuple[str, ...] = ("*",),
    headers: tuple[str, ...] = ("*",),
    max_age: int | None = 0,
) -> CorsOptions:
    """The options a developer would write for local frontend work: the policy's origins (the
    loopback ones as a pattern) with ``supports_credentials`` on."""
    if policy.origins:
        return CorsOptions(
            allowed_origins=policy.origins, allowed_methods=methods,
            allowed_headers=tuple(h.lower() for h in headers), max_age=max_age,
            supports_credentials=True,
        )
    return CorsOptions(
        allowed_origins=(), allowed_origins_patterns=(LOOPBACK_ORIGIN,),
        allowed_methods=methods, allowed_headers=tuple(h.lower() for h in headers),
        max_age=max_age, supports_credentials=True,
    )


def vary(response: Response, header: str) -> None:
    """php-cors ``varyHeader``: append unless already listed."""
    current = response.headers.get("Vary")
    if not current:
        response.headers["Vary"] = header
    elif header not in [part.strip() for part in current.split(",")]:
        response.headers["Vary"] = f"{current}, {header}"


def is_preflight(request: Request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _allowed_origin(options: CorsOptions, response: Response, request: Request) -> bool:
    """``configureAllowedOrigin``; True when an Access-Control-Allow-Origin was written."""
    if options.allow_all_origins and not options.supports_credentials:
        response.headers["Access-Control-Allow-Origin"] = "*"
        return True
    if (
        not options.allow_all_origins
        and not options.allowed_origins_patterns
        and len(options.allowed_origins) == 1
    ):
        response.headers["Access-Control-Allow-Origin"] = options.allowed_origins[0]
        return True
    origin: str | None = request.environ.get("HTTP_ORIGIN")  # request.headers.get("Origin")
    written = origin is not None and options.origin_allowed(origin)
    if written:
        response.headers["Access-Control-Allow-Origin"] = str(origin)
    vary(response, "Origin")
    return written


def preflight_headers(options: CorsOptions, response: Response, request: Request) -> None:
    """``addPreflightRequestHeaders`` then HandleCors's ``Vary``."""
    if _allowed_origin(options, response, request):
        if options.supports_credentials:
            response.headers["Access-Control-Allow-Credentials"] = "true"
        if "*" in options.allowed_methods:
            methods = request.headers.get("Access-Control-Request-Method", "").upper()
            vary(response, "Access-Control-Request-Method")
        else:
            methods = ", ".join(options.allowed_methods)
        response.headers["Access-Control-Allow-Methods"] = methods
        if "*" in options.allowed_headers:
            allowed = request.headers.get("Access-Control-Request-Headers", "")
            vary(response, "Access-Control-Request-Headers")
        else:
            allowed = ", ".join(options.allowed_headers)
        response.headers["Access-Control-Allow-Headers"] = allowed
        if options.max_age is not None:
            response.headers["Access-Control-Max-Age"] = str(options.max_age)
    vary(response, "Access-Control-Request-Method")
    request.environ[PREFLIGHT] = True


def preflight(options: CorsOptions, request: Request, status: int = 204) -> Response:
    """HandleCors's answer to a preflight (``handlePreflightRequest``)."""
    response = Response(status=status)
    response.headers.remove("Content-Type")
    preflight_headers(options, response, request)
    return response


def label(options: CorsOptions, response: Response, request: Request) -> None:
    """What HandleCors adds to any answer that is not a preflight's."""
    if request.environ.get(PREFLIGHT):
        return
    if request.method == "OPTIONS":
        vary(response, "Access-Control-Request-Method")
    if _allowed_origin(options, response, request):
        if options.supports_credentials:
            response.headers["Access-Control-Allow-Credentials"] = "true"
        if options.exposed_headers:
            response.headers["Access-Control-Expose-Headers"] = ", ".join(options.exposed_headers)
