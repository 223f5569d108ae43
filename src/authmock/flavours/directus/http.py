"""What Express and Directus put on the wire: headers, JSON bodies, ETags and cookies.

Directus answers through Express 4: every response carries Helmet's CSP, the opener policy and
``X-Powered-By: Directus``; successes add ``Cache-Control: no-cache`` and ``Vary``; JSON bodies
are ``JSON.stringify`` output with a weak ETag; cookies are serialised by the ``cookie``
library in its fixed attribute order.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from flask import Request, Response, request

from authmock.flavours.directus import errors as E

CSP = (
    "script-src 'self' 'unsafe-eval';worker-src 'self' blob:;child-src 'self' blob:;"
    "img-src 'self' data: blob: https://raw.githubusercontent.com https://avatars.githubusercontent.com;"
    "media-src 'self';connect-src 'self' https://* wss://*;default-src 'self';base-uri 'self';"
    "font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';object-src 'none';"
    "script-src-attr 'none';style-src 'self' https: 'unsafe-inline'"
)
JSON_TYPE = "application/json; charset=utf-8"
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def raw_path(req: Request | None = None) -> str:
    """Express's ``req.path``: the path of the request target as sent, percent-escapes and
    repeated slashes kept (Flask's ``request.path`` is decoded)."""
    if req is None:
        req = request
    environ = req.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not isinstance(raw, str) or not raw:
        return req.path
    if not raw.isascii():  # undo the WSGI "latin-1 dance" of the server (ASCII is unchanged)
        with contextlib.suppress(UnicodeError):
            raw = raw.encode("latin-1").decode("utf-8")
    if not raw.startswith("/") and "://" in raw:  # absolute-form target: parseurl keeps the path
        raw = urlsplit(raw).path
    return raw.split("?", 1)[0].split("#", 1)[0] or "/"


_SPECIAL_SCHEMES = ("http", "https", "ws", "wss", "ftp")


def whatwg_normalize(url: str) -> str:
    """What ``new URL()`` reads in a special URL before it splits it: ``\\`` is ``/``, and any
    number of slashes may precede the host (``http:x.com`` is ``http://x.com``)."""
    scheme, sep, rest = url.strip().partition(":")
    if sep and scheme.lower() in _SPECIAL_SCHEMES:
        return scheme + "://" + rest.replace("\\", "/").lstrip("/")
    return url


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value (``[]`` and ``{}`` are truthy)."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and value == value
    if isinstance(value, str):
        return value != ""
    return True


def js_string(value: Any) -> str:
    """``String(value)`` for JSON values, as a template literal prints them."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return ",".join("" if v is None else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: ``json.dumps(..., separators=(",", ":"), ensure_ascii=False)`` builds this encoder on every
#: call; it keeps no state between calls, so one serves every request
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def stringify(payload: Any) -> bytes:
    """``JSON.stringify``: compact, non-ASCII as is, lone surrogates escaped."""
    text = _ENCODE(payload)
    if not text.isascii():  # only non-ASCII text can hold a lone surrogate
        text = _LONE_SURROGATE.sub(_escape_surrogate, text)
    return text.encode("utf-8")


def weak_etag(body: bytes) -> str:
    """The ``etag`` package's weak tag, as Express sets it."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")[:27]
    return f'W/"{len(body):x}-{digest}"'


#: Helmet's headers and ``X-Powered-By``, on every answer
BASE_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("Cross-Origin-Opener-Policy", "same-origin-allow-popups"),
    ("X-Powered-By", "Directus"),
)
#: what ``respond`` adds to a success
NO_CACHE_HEADERS: tuple[tuple[str, str], ...] = (
    ("Cache-Control", "no-cache"),
    ("Vary", "Origin, Cache-Control"),
)
_SUCCESS_HEADERS = BASE_HEADERS + NO_CACHE_HEADERS


def _append(response: Response, headers: tuple[tuple[str, str], ...]) -> None:
    """Append headers a fresh response does not carry yet, in order.

    The same as setting them one by one (``headers[name] = value`` appends a name not yet
    present), without Werkzeug's per-header lookup and newline check: the names and values
    are fixed strings without CR or LF.
    """
    response.headers._list.extend(headers)


def base_headers(response: Response) -> Response:
    """Helmet's headers on a fresh response (one without them yet)."""
    _append(response, BASE_HEADERS)
    return response


def json_response(payload: Any, status: int = 200, *, success: bool = True) -> Response:
    body = stringify(payload)
    # a new Response holds Content-Type and Content-Length only, so appending equals setting
    response = Response(body, status, content_type=JSON_TYPE)
    _append(response, _SUCCESS_HEADERS if success else BASE_HEADERS)
    response.headers._list.append(("ETag", weak_etag(body)))
    return response


def empty_response() -> Response:
    """Directus's ``respond`` without a payload: 204, empty body."""
    response = Response(b"", 204)
    response.headers.remove("Content-Type")
    _append(response, _SUCCESS_HEADERS)
    return response


def text_response(text: str, status: int, content_type: str) -> Response:
    body = text.encode("utf-8")
    response = Response(body, status, content_type=content_type)
    _append(response, BASE_HEADERS)
    response.headers._list.append(("ETag", weak_etag(body)))
    return response


_ENCODE_CHARS = re.compile(
    r"(?:[^\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E]|%(?:[^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|$))+"
)


def encode_url(url: str) -> str:
    """The ``encodeurl`` package (2.x) Express's ``res.location`` applies: runs of characters
    that may not appear in a URL (space, quotes, CR/LF, non-ASCII, a stray ``%``) go through
    ``encodeURI``; lone surrogates become U+FFFD first."""
    url = _LONE_SURROGATE.sub("\ufffd", url)

    def encode_uri(match: re.Match[str]) -> str:
        return quote(match.group(0), safe="!#$&'()*+,-./:;=?@_~")

    return _ENCODE_CHARS.sub(encode_uri, url)


def _form_encode(text: str) -> str:
    """application/x-www-form-urlencoded as URLSearchParams writes it (keeps ``*``, not ``~``)."""
    return quote_plus(text, safe="*").replace("~", "%7E")


def url_search_params(pairs: list[tuple[str, str]]) -> str:
    """``new URLSearchParams(req.body).toString()`` for a body ``express.urlencoded`` parsed
    with querystring: a repeated key is one array, which String() joins with commas."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return "&".join(f"{_form_encode(k)}={_form_encode(','.join(v))}" for k, v in grouped.items())


class _RedirectResponse(Response):
    """Sends ``Location`` as set: Werkzeug would run it through ``iri_to_uri`` again, which
    escapes characters encodeurl keeps (``|``, ``^``, ``[``, ``]``)."""

    def get_wsgi_headers(self, environ: Any) -> Any:
        headers = super().get_wsgi_headers(environ)
        location = self.headers.get("Location")
        if location is not None:
            headers["Location"] = location
        return headers


def _escape_html(text: str) -> str:
    """The ``escape-html`` package (``'`` becomes ``&#39;``)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def redirect_response(location: str, status: int = 302) -> Response:
    """Express ``res.redirect``: the target through ``res.location`` (encodeurl), and the body
    ``res.format`` picks from Accept: text (no Accept, ``*/*``), HTML, or empty otherwise."""
    location = encode_url(location)
    kind = "text/plain"
    if request.headers.get("Accept"):
        kind = request.accept_mimetypes.best_match(["text/plain", "text/html"]) or ""
    message = E.STATUS_MESSAGES[status]
    if kind == "text/plain":
        body = E.REDIRECT_TEXT.format(status=message, location=location)
    elif kind == "text/html":
        body = E.REDIRECT_HTML.format(status=message, location=_escape_html(location))
    else:
        body = ""
    response = _RedirectResponse(body.encode("utf-8"), status)
    if kind:
        response.headers["Content-Type"] = f"{kind}; charset=utf-8"
    else:
        response.headers.remove("Content-Type")
    base_headers(response)
    response.headers["Location"] = location
    response.headers["Vary"] = "Accept"
    return response


def http_date(epoch_seconds: float) -> str:
    return formatdate(int(epoch_seconds), usegmt=True)


def _encode_value(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="!'()*-._~")  # encodeURIComponent


def serialize_cookie(
    name: str,
    value: str,
    *,
    now: float,
    max_age_ms: float | None = None,
    domain: str | None = None,
    expires_epoch: float | None = None,
    http_only: bool = True,
    secure: bool = False,
    same_site: str | None = None,
) -> str:
    """Express ``res.cookie`` + ``cookie.serialize``: Max-Age, Domain, Path, Expires,
    HttpOnly, Secure, SameSite — in that order."""
    parts = [f"{name}={_encode_value(value)}"]
    expires = expires_epoch
    if max_age_ms is not None:
        expires = now + max_age_ms / 1000.0
        parts.append(f"Max-Age={int(max_age_ms // 1000)}")
    if domain:
        parts.append(f"Domain={domain}")
    parts.append("Path=/")
    if expires is not None:
        parts.append(f"Expires={http_date(expires)}")
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    if same_site:
        parts.append(f"SameSite={same_site.capitalize()}")
    return "; ".join(parts)


_NO_CACHE = re.compile(r"(?:^|,)\s*?no-cache\s*?(?:,|$)")


def is_fresh(method: str, request_headers: Any, response: Response) -> bool:
    """Express's ``req.fresh`` (the ``fresh`` package): a conditional GET/HEAD still valid."""
    if method not in ("GET", "HEAD") or not (
        200 <= response.status_code < 300 or response.status_code == 304
    ):
        return False
    none_match = request_headers.get("If-None-Match")
    modified_since = request_headers.get("If-Modified-Since")
    if not none_match and not modified_since:
        return False
    cache_control = request_headers.get("Cache-Control")
    if cache_control and _NO_CACHE.search(cache_control):
        return False
    if none_match and none_match != "*":
        etag = response.headers.get("ETag")
        if not etag:
            return False
        matches = [part.strip() for part in none_match.split(",")]
        if not any(m == etag or m == "W/" + etag or "W/" + m == etag for m in matches):
            return False
    # Directus sends no Last-Modified, so an If-Modified-Since is always stale
    return not modified_since


def not_modified(response: Response) -> Response:
    """What ``res.send`` does for a fresh request: 304 without body or content headers."""
    response.status_code = 304
    response.set_data(b"")
    for name in ("Content-Type", "Content-Length", "Transfer-Encoding"):
        response.headers.pop(name, None)
    return response


# URLs users hand in ------------------------------------------------------------------------
def _host_path(url: str) -> str | None:
    """``new URL(url)``'s ``hostname + pathname``, or None where the WHATWG parser throws."""
    try:
        parts = urlsplit(whatwg_normalize(url.strip()))
    except ValueError:
        return None
    if not parts.scheme or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", parts.scheme):
        return None
    special = parts.scheme.lower() in ("http", "https", "ws", "wss", "ftp", "file")
    if special and not parts.netloc and parts.scheme.lower() != "file":
        return None
    try:
        hostname = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = parts.path or ("/" if special else "")
    if special:
        path = _remove_dot_segments(path)
    return hostname + path


def _remove_dot_segments(path: str) -> str:
    """The WHATWG path parser's ``.`` / ``..`` handling (``%2e`` counts as a dot)."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        name = segment.lower().replace("%2e", ".")
        if name == "..":
            if out:
                out.pop()
            if last:
                out.append("")
        elif name == ".":
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def url_allowed(url: Any, allow_list: list[str] | None) -> bool:
    """Directus's ``isUrlAllowed``: exact match, or same hostname + path as an entry."""
    if allow_list is None:
        return False
    text = js_string(url)
    if isinstance(url, str) and url in allow_list:
        return True
    allowed = {hp for hp in (_host_path(entry) for entry in allow_list) if hp is not None}
    target = _host_path(text)
    return target is not None and target in allowed


def set_query(url: str, key: str, value: str) -> str:
    """Directus's ``Url.setQuery``: replace ``key`` in the query string."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
