"""Headers every Laravel answer carries whatever the route: Symfony's default Cache-Control."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, request

from authmock.app import CONTROL_PREFIX

if TYPE_CHECKING:
    from authmock.app import Mock

#: what Symfony's ResponseHeaderBag sets when a response has no caching headers of its own
DEFAULT_CACHE_CONTROL = "no-cache, private"


def install(mock: Mock) -> None:
    @mock.app.after_request
    def _cache_control(response: Response) -> Response:
        is_control = request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/")
        if not is_control and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = DEFAULT_CACHE_CONTROL
        return response
