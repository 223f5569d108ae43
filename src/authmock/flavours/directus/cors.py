"""Directus's CORS middleware: the ``cors`` package (2.8.5) with the CORS_* settings.

Directus mounts it (``app.ts``) right after Helmet and ``X-Powered-By``, before the body parser,
so it touches every answer: a preflight (any ``OPTIONS`` request) is answered 204 before body
parsing, token extraction, rate limiting or routing, and every other answer — errors, 404s,
429s, redirects — carries the origin headers. With ``CORS_ORIGIN`` false (the default) the
package calls ``next()`` and adds nothing, even with ``CORS_ENABLED`` on.

What ``cors`` writes, in its order:

- ``Access-Control-Allow-Origin``: ``*`` for ``"*"``; the configured string itself for any
  other string (whatever the request's origin — a browser then refuses a mismatch); for
  ``true``, a ``regex:``, a number or a list, the request's ``Origin`` when it is allowed and
  nothing otherwise. ``Vary: Origin`` whenever the answer depends on the origin (not for ``*``).
- ``Access-Control-Allow-Credentials: true`` only when CORS_CREDENTIALS is true — also when
  the origin is refused, as is ``Access-Control-Expose-Headers``.
- preflight only: ``Access-Control-Allow-Methods``, ``Access-Control-Allow-Headers`` (the
  request's ``Access-Control-Request-Headers`` reflected, plus ``Vary``, when the setting is
  empty), ``Access-Control-Max-Age``; then ``204`` with ``Content-Length: 0`` and no body.

``vary`` appends, and Directus's ``respond`` later *sets* ``Vary: Origin, Cache-Control`` on a
success; Node keeps a header where it was first set, so the CORS headers sit right after
``X-Powered-By``.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, request

from authmock.cors import LOOPBACK_ORIGIN, CorsPolicy
from authmock.flavours.directus import http as H
from authmock.flavours.directus.config import CorsSettings

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials"
ALLOW_METHODS = "Access-Control-Allow-Methods"
ALLOW_HEADERS = "Access-Control-Allow-Headers"
MAX_AGE = "Access-Control-Max-Age"
EXPOSE_HEADERS = "Access-Control-Expose-Headers"
REQUEST_HEADERS = "Access-Control-Request-Headers"
#: marks a request whose answer the preflight already wrote
_DONE = "authmock.directus.cors"
_NEWLINE = re.compile(r"[\r\n]")


def _allowed(origin: str | None, allowed: Any) -> bool:
    """cors's ``isOriginAllowed`` (``RegExp.test(undefined)`` tests ``"undefined"``)."""
    if isinstance(allowed, list):
        return any(_allowed(origin, item) for item in allowed)
    if isinstance(allowed, str):
        return origin == allowed
    if isinstance(allowed, re.Pattern):
        return allowed.search("undefined" if origin is None else origin) is not None
    return H.js_truthy(allowed)


def _vary(current: str | None, field: str) -> str:
    """The ``vary`` package: append the field unless it (or ``*``) is already listed."""
    if not current:
        return field
    fields = [part.strip() for part in current.split(",") if part.strip()]
    if "*" in fields:
        return "*"
    known = {part.lower() for part in fields}
    for name in (part.strip() for part in field.split(",")):
        if name and name.lower() not in known:
            fields.append(name)
            known.add(name.lower())
    return ", ".join(fields)


def cors_headers(
    cors: CorsSettings, *, preflight: bool, origin: str | None = None
) -> list[tuple[str, str]]:
    """The headers cors sets for this request, in its order (``Vary`` merged in place);
    ``origin`` is the request's ``Origin`` (read here on a preflight)."""
    out: list[tuple[str, str]] = []
    vary: str | None = None
    if preflight:
        origin = request.headers.get("Origin")
    allowed = cors.origin
    if allowed == "*":
        out.append((ALLOW_ORIGIN, "*"))
    elif isinstance(allowed, str):
        out.append((ALLOW_ORIGIN, allowed))
        vary = "Origin"
    else:
        if origin and _allowed(origin, allowed):
            out.append((ALLOW_ORIGIN, origin))
        vary = "Origin"
    if vary is not None:
        out.append(("Vary", vary))
    if cors.credentials:
        out.append((ALLOW_CREDENTIALS, "true"))
    if preflight:
        if cors.methods:
            out.append((ALLOW_METHODS, cors.methods))
        allowed_headers = cors.allowed_headers
        if allowed_headers is None:  # reflect the request's, and say so in Vary
            allowed_headers = request.headers.get(REQUEST_HEADERS)
            _merge_vary(out, REQUEST_HEADERS)
        if allowed_headers:
            out.append((ALLOW_HEADERS, allowed_headers))
        if cors.max_age:
            out.append((MAX_AGE, cors.max_age))
    if cors.exposed_headers:
        out.append((EXPOSE_HEADERS, cors.exposed_headers))
    return out


def _merge_vary(headers: list[tuple[str, str]], field: str) -> None:
    for index, (name, value) in enumerate(headers):
        if name == "Vary":
            headers[index] = (name, _vary(value, field))
            return
    headers.append(("Vary", field))


class _PreflightResponse(Response):
    """Keeps ``Content-Length: 0`` on the 204, which cors sets for Safari's sake (Werkzeug
    drops it from every 204)."""

    def get_wsgi_headers(self, environ: Any) -> Any:
        headers = super().get_wsgi_headers(environ)
        headers["Content-Length"] = "0"
        return headers


def preflight(cors: CorsSettings) -> Response | None:
    """cors's answer to an OPTIONS request (any OPTIONS: it checks no request header), or None
    when the request goes on down the pipeline."""
    if not cors.active or request.method != "OPTIONS":
        return None
    response = _PreflightResponse(b"", 204)
    response.headers.remove("Content-Type")
    H.base_headers(response)
    for name, value in cors_headers(cors, preflight=True):
        response.headers[name] = value
    request.environ[_DONE] = True
    return response


def decorate(cors: CorsSettings, response: Response) -> Response:
    """Put the actual-request CORS headers on any other answer, where Node would have them."""
    environ = request.environ
    if not cors.active or environ.get(_DONE):
        return response
    added = cors_headers(cors, preflight=False, origin=environ.get("HTTP_ORIGIN"))
    if not added:
        return response
    names = {name.lower() for name, _ in added}
    items: list[tuple[str, str]] = []
    own: list[str] = []  # the response's own Vary values, merged into cors's
    at = 0  # right after X-Powered-By
    for name, value in response.headers._list:  # one pass over the response's headers
        lower = name.lower()
        if lower in names:
            if lower == "vary":
                own.append(value)
            continue
        items.append((name, value))
        if not at and name == "X-Powered-By":
            at = len(items)
    merged = ", ".join(own)
    if merged:
        added = [(name, _vary(value, merged) if name == "Vary" else value) for name, value in added]
    # the response's own headers went through Werkzeug's checks when they were set: only the
    # new values (some echo the request) get Headers.add's newline check before the list is
    # rewritten in one go, rather than cleared and re-added header by header
    for _, value in added:
        if _NEWLINE.search(value) is not None:
            raise ValueError("Header values must not contain newline characters.")
    response.headers._list[:] = [*items[:at], *added, *items[at:]]
    return response


def development(policy: CorsPolicy) -> CorsSettings:
    """authmock's out-of-the-box CORS as Directus settings: ``CORS_ENABLED=true`` and
    ``CORS_ORIGIN`` the allowed origins (the loopback ones as one ``regex:``; ``*`` as ``true``,
    which reflects any origin), everything else Directus's defaults — credentials on, methods
    ``GET,POST,PATCH,DELETE``, headers ``Content-Type,Authorization``."""
    origin: Any
    if policy.any_origin:
        origin = True
    elif policy.origins:
        origin = list(policy.origins)  # a list: the request's origin is echoed when listed
    else:
        origin = LOOPBACK_ORIGIN
    return CorsSettings(enabled=True, origin=origin)


def effective(policy: CorsPolicy, settings: dict[str, Any], parsed: CorsSettings) -> CorsSettings:
    """The fixture's own ``CORS_*`` rule when any is present, and with ``--cors off``;
    otherwise authmock's development default."""
    if not policy.enabled or any(key.startswith("CORS_") for key in settings):
        return parsed
    return development(policy)
