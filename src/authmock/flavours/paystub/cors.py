"""Laravel's global ``HandleCors`` middleware with the default ``config/cors.php``.

Defaults: every origin, method and header allowed, no credentials, ``max_age`` 0. A preflight
(``OPTIONS`` with ``Access-Control-Request-Method``) is answered 204 before routing; every other
answer of a product path gets ``Access-Control-Allow-Origin: *``. Headers are *set*, never added,
so a second CORS layer cannot produce duplicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, request

from authmock.app import CONTROL_PREFIX

if TYPE_CHECKING:
    from authmock.app import Mock


def _is_product_path() -> bool:
    return not (request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"))


def _vary(response: Response, header: str) -> None:
    current = response.headers.get("Vary")
    if not current:
        response.headers["Vary"] = header
    elif header not in current.split(", "):
        response.headers["Vary"] = f"{current}, {header}"


def install(mock: Mock) -> None:
    """Answer preflights and label every product answer, like Laravel's HandleCors."""
    app = mock.app

    @app.before_request
    def _preflight() -> Response | None:
        if not _is_product_path():
            return None
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return None
        response = Response(status=204)
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = request.headers[
            "Access-Control-Request-Method"
        ].upper()
        _vary(response, "Access-Control-Request-Method")
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", ""
        )
        _vary(response, "Access-Control-Request-Headers")
        response.headers["Access-Control-Max-Age"] = "0"
        return response

    @app.after_request
    def _label(response: Response) -> Response:
        if _is_product_path():
            if request.method == "OPTIONS":
                _vary(response, "Access-Control-Request-Method")
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response
