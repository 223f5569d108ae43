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


_CONTROL_PATHS = CONTROL_PREFIX + "/"


def is_product_path(path: str) -> bool:
    return not (path == CONTROL_PREFIX or path.startswith(_CONTROL_PATHS))


def _vary(response: Response, header: str) -> None:
    current = response.headers.get("Vary")
    if not current:
        response.headers["Vary"] = header
    elif header not in current.split(", "):
        response.headers["Vary"] = f"{current}, {header}"


def label(response: Response, method: str) -> None:
    """What HandleCors adds to a product answer that is not a preflight's."""
    if method == "OPTIONS":
        _vary(response, "Access-Control-Request-Method")
    response.headers["Access-Control-Allow-Origin"] = "*"


def install(mock: Mock) -> None:
    """Answer preflights like Laravel's HandleCors (``headers.install`` labels the answers)."""
    app = mock.app

    @app.before_request
    def _preflight() -> Response | None:
        # the method first: a cheap test that settles every request but a preflight
        if request.method != "OPTIONS" or not is_product_path(request.path):
            return None
        if "Access-Control-Request-Method" not in request.headers:
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
