"""Laravel's global ``HandleCors`` middleware (php-cors, ``authmock.phpcors``) for Paystub.

The real app's CORS configuration is unknown, so ``--cors off`` (or ``settings.cors: true``)
gives Laravel's default ``config/cors.php``: every origin, method and header, no credentials,
``max_age`` 0 — ``Access-Control-Allow-Origin: *``, which a browser refuses for a
``credentials: 'include'`` fetch. Out of the box authmock configures it as a frontend developer
would: the allowed origins (loopback ones by default) as ``allowed_origins_patterns`` /
``allowed_origins`` with ``supports_credentials`` true, methods and headers still ``*`` (a
preflight gets the request's own ``Authorization, Accept, X-Requested-With, ...`` back).
``settings.cors: false`` drops HandleCors. A preflight (``OPTIONS`` with
``Access-Control-Request-Method``) is answered 204 before routing; every other product answer,
errors included, is labelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, request

from authmock import phpcors
from authmock.mock import is_control_path

if TYPE_CHECKING:
    from authmock.mock import Mock


#: Laravel's default config/cors.php
LARAVEL_DEFAULT = phpcors.CorsOptions()


def is_product_path(path: str) -> bool:
    return not is_control_path(path)


def options_for(mock: Mock, setting: bool | None) -> phpcors.CorsOptions | None:
    """The HandleCors options in force (None: no HandleCors). ``setting`` is the fixture's
    ``cors`` when present, which rules over authmock's development default."""
    if setting is False:
        return None
    if setting is True or not mock.cors.enabled:
        return LARAVEL_DEFAULT
    return phpcors.development_options(mock.cors)


def install(mock: Mock, options: phpcors.CorsOptions) -> None:
    """Answer preflights like Laravel's HandleCors (``headers.install`` labels the answers)."""
    app = mock.app

    @app.before_request
    def _preflight() -> Response | None:
        # the method first: a cheap test that settles every request but a preflight
        if request.method != "OPTIONS" or not is_product_path(request.path):
            return None
        if not phpcors.is_preflight(request):
            return None
        return phpcors.preflight(options, request)
