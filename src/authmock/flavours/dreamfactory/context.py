"""One request as DreamFactory sees it: path parts, payload, raw credentials, session.

DreamFactory reads bodies by Content-Type (df-core ``ServiceRequest::getPayloadData``) and
PHP semantics leak into every check (``empty()``, ``filter_var(..., BOOLEAN)``, the last of
repeated query keys wins); the helpers here reproduce them once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.sansio.utils import get_current_url

from authmock.flavours.dreamfactory import errors

if TYPE_CHECKING:
    from authmock.mock import Mock

VERSION = re.compile(r"v[0-9.]+")
AUTH_PATHS = ("api/v2/user/session", "api/v2/system/admin/session")
_TRUE = {"1", "true", "on", "yes"}
_XML = re.compile(rb"\s*<[A-Za-z_?!]")


def php_empty(value: Any) -> bool:
    """PHP ``empty()``: null, false, 0, 0.0, "", "0", [] and {} are empty."""
    if value is None or value is False:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, str):
        return value in ("", "0")
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return False


def php_bool(value: Any) -> bool:
    """``filter_var($v, FILTER_VALIDATE_BOOLEAN)`` as DF's ``getParameterAsBool`` uses it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return False


def php_boolval(value: Any) -> bool:
    """PHP ``boolval``: any non-empty value is true (even the string "false")."""
    return not php_empty(value)


def df_datetime(epoch: float) -> str:
    """``Carbon::now()->toDateTimeString()`` in UTC: ``YYYY-MM-DD HH:MM:SS``."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    if moment.year < 1000:  # strftime does not pad the year to four digits
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.isoformat(" ")[:19]  # the same text, without strftime's cost


def model_timestamp(value: str | None) -> str | None:
    """Eloquent's DF 5+ serialisation of a stored ``Y-m-d H:i:s`` column."""
    if value is None:
        return None
    return value.replace(" ", "T") + ".000000Z"


class Payload:
    """The request body as DreamFactory parsed it (``getPayloadData``).

    A body DreamFactory cannot recognise (or a CSV body without rows) refuses only when a
    resource reads it, as ``getPayloadData`` throws at that point.
    """

    def __init__(self, data: dict[str, Any] | None = None, raw: Any = None,
                 text_for_all: str | None = None, refusal: str | None = None) -> None:
        self._data: dict[str, Any] = data or {}
        self._raw = raw if raw is not None else self._data
        self._text = text_for_all
        self._refusal = refusal

    def _check(self) -> None:
        if self._refusal is not None:
            raise errors.DfError(400, self._refusal)

    @property
    def data(self) -> dict[str, Any]:
        self._check()
        return self._data

    @property
    def raw(self) -> Any:
        self._check()
        return self._raw

    def get(self, key: str) -> Any:
        self._check()
        if self._text is not None:
            return self._text  # text/plain: the whole body answers every key
        return self._data.get(key)

    def __contains__(self, key: str) -> bool:
        self._check()
        return self._text is not None or key in self._data

    @property
    def empty(self) -> bool:
        self._check()
        return self._text is None and not self._data and not self._raw


def _last(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs:
        out[key] = value  # PHP keeps the last of repeated keys
    return out


def _json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
        if text.startswith("\ufeff"):
            return None  # json.loads refuses a byte-order mark before decoding
        return _DECODER.decode(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


#: a request's ``_json`` of its body, with the body it decoded
_DECODED = "authmock.dreamfactory.json"


def json_once(environ: dict[str, Any], body: bytes) -> Any:
    """``_json(body)``, remembered for the request: a login's user resolution (before the
    route, ``faults.py``) and the route's payload then decode the body once."""
    known = environ.get(_DECODED)
    if known is not None and known[0] is body:
        return known[1]
    value = _json(body)
    environ[_DECODED] = (body, value)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # PHP's json_decode knows no NaN / Infinity


#: what ``json.loads(text, parse_constant=_no_constant)`` builds on every call, built once
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _from_json(value: Any) -> Payload:
    if isinstance(value, dict):
        return Payload(value)
    if isinstance(value, list):
        return Payload({}, raw=value)
    return Payload()


def _csv_rows(body: bytes) -> list[dict[str, Any]]:
    """``DataFormatter::csvToArray``: the first line names the fields, each further line is a
    record (a blank line is a record of nulls, as ``fgetcsv`` reads it)."""
    reader = csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline=""))
    try:
        lines = list(reader)
    except csv.Error:
        return []
    if not lines:
        return []
    header, rows = lines[0], lines[1:]
    out: list[dict[str, Any]] = []
    for row in rows:
        record: dict[str, Any] = {}
        for index, name in enumerate(header):
            record[name] = row[index] if index < len(row) else None
        out.append(record)
    return out


def _csv(body: bytes) -> Payload:
    """A ``csv`` Content-Type: rows wrapped in ``resource`` (``ResourcesWrapper``)."""
    rows = _csv_rows(body)
    if body not in (b"", b"0") and not rows:
        return Payload(refusal=errors.INVALID_CSV)
    return Payload({"resource": rows}) if rows else Payload()


def _sniff(body: bytes) -> Payload:
    """No recognised Content-Type: JSON if it decodes, else XML, else CSV, else refused."""
    value = _json(body)
    if value is not None:
        return _from_json(value)
    if _XML.match(body):
        return Payload()  # XML bodies are not modelled: read as empty
    rows = _csv_rows(body)
    if rows:
        return Payload({"resource": rows})
    return Payload(refusal=errors.UNRECOGNIZED_PAYLOAD)


def read_request(
    request: Request, profile: str
) -> tuple[Payload, dict[str, Any], dict[str, str]]:
    """The payload, ``$request->input()`` and the query of one request; a JSON body is
    decoded once for both readings."""
    content_type = request.environ.get("CONTENT_TYPE") or ""  # the Content-Type header
    decoded: list[Any] = []

    def body_json() -> Any:
        if not decoded:
            raw = request.get_data(cache=True, parse_form_data=False)
            decoded.append(json_once(request.environ, raw))
        return decoded[0]

    query = query_dict(request)
    payload = read_payload(request, profile, content_type, body_json)
    return payload, read_input(request, content_type, body_json, query), query


def read_payload(
    request: Request, profile: str, content_type: str, body_json: Callable[[], Any]
) -> Payload:
    """Parse the body like ``ServiceRequest::getPayloadData`` (reads it: 413 fires here).

    Content-Type tests are ``Str::contains``, case-sensitive, in DreamFactory's order.
    """
    if "multipart/form-data" in content_type:
        return Payload({key: request.form.getlist(key)[-1] for key in request.form})
    if "/json" in content_type or "+json" in content_type:
        return _from_json(body_json())  # malformed JSON reads as an empty body
    body = request.get_data(cache=True, parse_form_data=False)
    if "x-www-form-urlencoded" in content_type:
        text = body.decode("utf-8", errors="replace")
        return Payload(_last(parse_qsl(text, keep_blank_values=True)))
    if "xml" in content_type:
        return Payload()  # XML bodies are not modelled: read as empty
    if "csv" in content_type:
        return _csv(body)
    if "text/plain" in content_type:
        text = body.decode("utf-8", errors="replace")
        return Payload(text_for_all=text) if text else Payload()
    if body in (b"", b"0"):  # PHP empty($content)
        return Payload()
    if not content_type.strip() and profile == "docs":
        return Payload()  # docs: a JSON body without Content-Type is not read
    return _sniff(body)


def read_input(
    request: Request, content_type: str, body_json: Callable[[], Any], query: dict[str, str]
) -> dict[str, Any]:
    """Laravel's ``$request->input()`` (where AuthCheck looks for ``api_key`` and
    ``session_token``, and Symfony for ``_method``): the JSON body when the Content-Type says
    JSON, else the form fields PHP parsed (POST; url-encoded PUT/PATCH/DELETE), else the query
    string for GET/HEAD. Body keys win over query keys. It never sniffs.
    """
    source: dict[str, Any] = {}
    if "/json" in content_type or "+json" in content_type:
        value = body_json()
        source = value if isinstance(value, dict) else {}
    elif request.method in ("GET", "HEAD"):
        source = {}
    elif "multipart/form-data" in content_type.lower() and request.method == "POST":
        source = {key: request.form.getlist(key)[-1] for key in request.form}
    elif content_type.lower().startswith("application/x-www-form-urlencoded"):
        text = request.get_data(cache=True, parse_form_data=False).decode("utf-8", "replace")
        source = _last(parse_qsl(text, keep_blank_values=True))
    return {**query, **source}


@dataclass
class Ctx:
    """Everything the middlewares and the resources share about one request."""

    mock: Mock
    request: Request
    method: str
    path: str  # trimmed of slashes, e.g. "api/v2/user/session"
    service: str | None
    resource: str  # the rest after the service, trimmed of slashes, case kept
    payload: Payload
    query: dict[str, str]
    input: dict[str, Any]  # Laravel's $request->input(): credentials and _method come from here
    api_key: str | None = None  # raw strings as received: a bogus key still counts
    token: str | None = None
    app: dict[str, Any] | None = None
    user: dict[str, Any] | None = None
    role: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    token_error: errors.DfError | None = None
    services: dict[str, dict[str, Any] | None] = field(default_factory=dict, repr=False)

    @property
    def component(self) -> str:
        return self.resource.lower()

    @property
    def profile(self) -> str:
        return self.mock.profile

    def param_bool(self, name: str) -> bool:
        return php_bool(self.query.get(name))

    @property
    def url(self) -> str:
        """``$request->url()``: scheme, host and path, no query, no trailing slash."""
        request = self.request
        return _base_url(request.scheme, request.host, request.root_path, request.path)


@lru_cache(maxsize=256)
def _base_url(scheme: str, host: str, root_path: str, path: str) -> str:
    """``Request.base_url`` without its trailing slash (a pure function of its parts: tests
    log in on the same few URLs over and over)."""
    return get_current_url(scheme, host, root_path, path).rstrip("/")


def split_path(rest: str) -> tuple[str, str | None, str]:
    """(trimmed path, service, resource) for ``/api/<rest>`` (version optional)."""
    trimmed = rest.strip("/")
    segments = [s for s in trimmed.split("/") if s] if trimmed else []
    if segments and VERSION.fullmatch(segments[0]):
        segments = segments[1:]
    service = segments[0].lower() if segments else None
    resource = "/".join(segments[1:])
    return ("api/" + trimmed).rstrip("/"), service, resource


def query_dict(request: Request) -> dict[str, str]:
    if not request.environ.get("QUERY_STRING"):
        return {}  # no query string: nothing to parse
    return {key: request.args.getlist(key)[-1] for key in request.args}
