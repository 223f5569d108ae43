"""What every Laravel answer carries whatever the route: HandleCors's label (when CORS is on)
and Symfony's default Cache-Control, set by one hook in that order.

(Symfony's reason phrases are the flavour's ``reason_phrases``; the core writes them.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Request, Response, request

from authmock import phpcors
from authmock.flavours.paystub import cors

if TYPE_CHECKING:
    from authmock.mock import Mock

#: what Symfony's ResponseHeaderBag sets when a response has no caching headers of its own
DEFAULT_CACHE_CONTROL = "no-cache, private"


def install(mock: Mock, cors_options: phpcors.CorsOptions | None) -> None:
    @mock.app.after_request
    def _laravel_headers(response: Response) -> Response:
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        if not cors.is_product_path(req.path):
            return response
        if cors_options is not None:  # HandleCors labels the answer before Symfony's defaults
            phpcors.label(cors_options, response, req)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = DEFAULT_CACHE_CONTROL
        return response
