"""In front of routing: Laravel's trailing-slash trimming and Symfony's HTTP method override.

Trailing slashes: Laravel matches ``/admin/auth/me//`` as ``/admin/auth/me``.

Method override, which Laravel turns on (``Request::capture()``):

A ``POST`` is routed as the method named by the ``X-HTTP-Method-Override`` header or, without
it, by a ``_method`` field of the body (JSON or URL-encoded: Laravel's ``$request->request``)
or, failing that, of the query string (``Request::getMethod()``). The name is upper-cased; any
run of letters replaces ``POST``. A ``_method`` that is not a string leaves the ``POST``; one
that is not letters only (an empty one, say) makes Symfony throw, which Laravel answers with a
404; here it too leaves the ``POST`` (see docs/paystub.md).

Routing happens before any Flask hook, so this is a WSGI wrapper; the body it reads (only a
JSON or URL-encoded one within the size limit) is handed on unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from authmock.flavours.paystub.validation import (
    BODY_KEY,
    body_fields,
    is_json,
    is_urlencoded,
    query_fields,
)
from authmock.mock import is_control_path

if TYPE_CHECKING:
    from authmock.mock import Mock

_LETTERS = re.compile(r"^[A-Z]+$")
FIELD = "_method"


def _wsgi_text(value: str) -> str:
    """A WSGI string holds the bytes as latin-1; read them as the UTF-8 PHP would see."""
    if value.isascii():
        return value  # the same characters in both encodings
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


def _read_body(environ: dict[str, Any], max_body: int) -> bytes | None:
    """Read a bounded body and put it back for the application."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0 or length > max_body:
        return None
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ[BODY_KEY] = body  # what the application would read back: request_input takes it
    return body


def _may_name_the_field(body: bytes) -> bool:
    """False when no spelling of ``_method`` (plain, ``\\u``- or %-escaped) can be in it."""
    return FIELD.encode() in body or b"\\u" in body or b"%" in body


def overriding_method(environ: dict[str, Any], max_body: int) -> str | None:
    """The method a POST is routed as, or None when it stays a POST."""
    header = _wsgi_text(str(environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", ""))).strip(" \t")
    method: Any = header or None
    if method is None:
        content_type = _wsgi_text(str(environ.get("CONTENT_TYPE", "")))
        fields: dict[str, Any] | None = None
        if is_json(content_type) or is_urlencoded(content_type):
            body = _read_body(environ, max_body)
            if body is not None and not _may_name_the_field(body):
                fields = {}  # spare a second parse of every login body
            elif body is not None:
                fields = body_fields(content_type, body)
        if fields is not None and FIELD in fields:
            method = fields[FIELD]
        elif environ.get("QUERY_STRING"):
            query = str(environ["QUERY_STRING"]).encode("latin-1", "replace")
            method = query_fields(query).get(FIELD)
    if not isinstance(method, str):
        return None
    method = method.upper()
    return method if _LETTERS.match(method) and method != "POST" else None


def one_trailing_slash(environ: dict[str, Any], path: str) -> str:
    """Laravel's UriValidator trims every trailing ``/`` of the raw path before matching; the
    routes take one (``strict_slashes=False``), so cut a longer run down to one. Only slashes
    sent as such count: a trailing ``%2F`` is not trimmed by Laravel either."""
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or path).split("?", 1)[0]
    extra = min(len(raw) - len(raw.rstrip("/")), len(path) - len(path.rstrip("/"))) - 1
    if extra <= 0 or len(path) - extra <= 1:
        return path
    return path[:-extra]


def install(mock: Mock, max_body: int) -> None:
    inner = mock.app.wsgi_app

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if not is_control_path(path):
            environ["PATH_INFO"] = one_trailing_slash(environ, path)
            if environ.get("REQUEST_METHOD") == "POST":
                method = overriding_method(environ, max_body)
                if method is not None:
                    environ["REQUEST_METHOD"] = method
        return inner(environ, start_response)

    mock.app.wsgi_app = wsgi_app  # type: ignore[method-assign]
