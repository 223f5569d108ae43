"""One request as DreamFactory sees it: path parts, payload, raw credentials, session.

DreamFactory reads bodies by Content-Type (df-core ``ServiceRequest::getPayloadData``) and
PHP semantics leak into every check (``empty()``, ``filter_var(..., BOOLEAN)``, the last of
repeated query keys wins); the helpers here reproduce them once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Request

from authmock.flavours.dreamfactory import errors

if TYPE_CHECKING:
    from authmock.app import Mock

VERSION = re.compile(r"v[0-9.]+")
AUTH_PATHS = ("api/v2/user/session", "api/v2/system/admin/session")
_TRUE = {"1", "true", "on", "yes"}


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
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def model_timestamp(value: str | None) -> str | None:
    """Eloquent's DF 5+ serialisation of a stored ``Y-m-d H:i:s`` column."""
    if value is None:
        return None
    return value.replace(" ", "T") + ".000000Z"


class Payload:
    """The request body as DreamFactory parsed it (``getPayloadData``)."""

    def __init__(self, data: dict[str, Any] | None = None, raw: Any = None,
                 text_for_all: str | None = None) -> None:
        self.data: dict[str, Any] = data or {}
        self.raw = raw if raw is not None else self.data
        self._text = text_for_all

    def get(self, key: str) -> Any:
        if self._text is not None:
            return self._text  # text/plain: the whole body answers every key
        return self.data.get(key)

    def __contains__(self, key: str) -> bool:
        return self._text is not None or key in self.data

    @property
    def empty(self) -> bool:
        return self._text is None and not self.data and not self.raw


def _last(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs:
        out[key] = value  # PHP keeps the last of repeated keys
    return out


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _from_json(value: Any) -> Payload:
    if isinstance(value, dict):
        return Payload(value)
    if isinstance(value, list):
        return Payload({}, raw=value)
    return Payload()


def read_payload(request: Request, profile: str) -> Payload:
    """Parse the body like ``ServiceRequest::getPayloadData`` (reads it: 413 fires here)."""
    content_type = (request.headers.get("Content-Type") or "").lower()
    if "multipart/form-data" in content_type:
        return Payload({key: request.form.getlist(key)[-1] for key in request.form})
    body = request.get_data(cache=True, parse_form_data=False)
    if not content_type.strip():
        if profile == "docs" or not body.strip():
            return Payload()  # docs: a JSON body without Content-Type is not read
        return _from_json(_json(body))  # server: sniffed as JSON
    if "/json" in content_type or "+json" in content_type:
        return _from_json(_json(body))  # malformed JSON reads as an empty body
    if "x-www-form-urlencoded" in content_type:
        text = body.decode("utf-8", errors="replace")
        return Payload(_last(parse_qsl(text, keep_blank_values=True)))
    if "text/plain" in content_type:
        text = body.decode("utf-8", errors="replace")
        return Payload(text_for_all=text) if text else Payload()
    return Payload()  # xml / csv bodies are not modelled


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
    api_key: str | None = None  # raw strings as received: a bogus key still counts
    token: str | None = None
    app: dict[str, Any] | None = None
    user: dict[str, Any] | None = None
    role: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    token_error: errors.DfError | None = None

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
        return self.request.base_url.rstrip("/")


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
    return {key: request.args.getlist(key)[-1] for key in request.args}
