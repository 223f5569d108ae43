"""DreamFactory's CORS: df-core's ``CorsServiceProvider`` feeds a CORS entry (admin app, Config
→ CORS) to ``DfCorsService`` (php-cors, ``authmock.phpcors``) behind Laravel's ``HandleCors``,
on the ``api/*`` paths only.

DreamFactory ships with no CORS entry, so a page on another origin is refused: that is what
``--cors off`` gives (no CORS headers; the mock does not model the empty entry's ``Vary`` and
405 preflight). Out of the box authmock acts as if this entry existed: path ``*``, the allowed
origins (the loopback ones), the headers DreamFactory's browser clients send, the verbs
GET/POST/PUT/PATCH/DELETE, ``supports_credentials`` on, max age 0. As ``DfCorsService`` does, a
preflight asking for a verb outside the entry gets ``405 Method not allowed`` (with the headers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Request, Response, request

from authmock import phpcors

if TYPE_CHECKING:
    from authmock.mock import Mock

#: df-core's ``cors.paths``: ``[api_route_prefix . '/*']``
API_PREFIX = "/api/"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: what DreamFactory's JavaScript clients (and its admin app) send
HEADERS = (
    "Content-Type", "X-DreamFactory-API-Key", "X-DreamFactory-Session-Token", "Authorization",
    "X-Requested-With", "Accept",
)


def options_for(mock: Mock) -> phpcors.CorsOptions | None:
    """The CORS entry in force (None: DreamFactory's default, no entry)."""
    if not mock.cors.enabled:
        return None
    return phpcors.development_options(mock.cors, methods=METHODS, headers=HEADERS, max_age=0)


def install(mock: Mock, options: phpcors.CorsOptions) -> None:
    app = mock.app

    @app.before_request
    def _preflight() -> Response | None:
        if request.method != "OPTIONS" or not request.path.startswith(API_PREFIX):
            return None
        if not phpcors.is_preflight(request):
            return None
        asked = request.headers.get("Access-Control-Request-Method", "").upper()
        status: int | str = 204 if asked in METHODS else "405 Method not allowed"
        response = Response(status=status)
        response.headers.remove("Content-Type")
        phpcors.preflight_headers(options, response, request)
        return response

    @app.after_request
    def _label(response: Response) -> Response:
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        if req.path.startswith(API_PREFIX):
            phpcors.label(options, response, req)
        return response
