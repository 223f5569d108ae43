"""Fault rules as data: what a rule may say, parsed and checked, and how a rule's own answer
is rendered. The engine that stores rules and applies them to requests is ``authmock.faults``
(which re-exports every name here, so ``from authmock.faults import FaultError`` keeps working).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Request, Response

if TYPE_CHECKING:
    from authmock.faults import Faults
    from authmock.mock import Mock

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
RULE_FIELDS = ("match", "times", "after", "error", "respond", "delay_ms", "drop")
RESPOND_FIELDS = ("status", "headers", "json", "body")
MAX_DELAY_MS = 600_000
#: the rule's answer, when it must replace the route rather than the whole pipeline
G_ROUTE_RESPONSE = "authmock_fault_response"
#: set by an in-process transport around one request: a rule's delay (seconds) is added here
#: for the caller to wait out, as a client waits on a live server's socket (an async client
#: sleeps without blocking its loop, and a client timeout shorter than the delay fires)
DEFERRED_DELAY: ContextVar[list[float] | None] = ContextVar(
    "authmock_deferred_delay", default=None
)


class FaultError(ValueError):
    """A rule that cannot be stored; the message says what is allowed."""


class DropConnection(BaseException):
    """A ``drop`` rule fired: the live server closes the connection without any response.

    A BaseException so no error handler turns it into a 500; through the Flask test client
    (which has no connection to close) it reaches the caller as this exception.
    """

    def __init__(self, rule_id: int) -> None:
        super().__init__(
            f"fault rule {rule_id} dropped the connection: no response was sent "
            "(a live server closes the socket; the test client raises this)"
        )
        self.rule_id = rule_id


@dataclass(frozen=True)
class CatalogueEntry:
    """One named error of a flavour: what the product sends when that really happens.

    ``render()`` is called inside the request; ``stage="route"`` means the real error comes
    from the route, after the product's middleware (authentication, throttles) ran, so the
    fault replaces only the route and the middleware's headers are still added.
    """

    status: int
    description: str
    render: Callable[[], Response]
    stage: str = "request"


@dataclass(frozen=True)
class MatchKey:
    """An optional ``match`` key: ``parse`` validates the rule's value (raise FaultError),
    ``test(value, info)`` says whether a request matches it."""

    name: str
    parse: Callable[[Any], Any]
    test: Callable[[Any, RequestInfo], bool]


class RequestInfo:
    """What match keys may ask about the current request; the user is resolved once."""

    __slots__ = ("_resolved", "_user", "mock", "request")

    def __init__(self, mock: Mock, request: Request) -> None:
        self.mock = mock
        self.request = request
        self._user: str | None = None
        self._resolved = False

    @property
    def user(self) -> str | None:
        """The e-mail the request's credentials resolve to (the flavour's ``request_user``)."""
        if not self._resolved:
            self._resolved = True
            try:
                found = self.mock.flavour.request_user(self.mock, self.request)
            except Exception:  # a credential the flavour cannot read belongs to nobody
                found = None
            self._user = found.casefold() if isinstance(found, str) else None
        return self._user


def _parse_user(value: Any) -> str:
    if not isinstance(value, str) or "@" not in value:
        raise FaultError('"match.user" must be an e-mail address (a string with "@")')
    return value.casefold()


def _test_user(value: Any, info: RequestInfo) -> bool:
    return bool(info.user == value)


_MATCH_KEYS: dict[str, MatchKey] = {"user": MatchKey("user", _parse_user, _test_user)}


def register_match_key(key: MatchKey) -> None:
    """Add an optional ``match`` key (e.g. a GraphQL operation name) for every flavour."""
    _MATCH_KEYS[key.name] = key


def match_keys() -> tuple[str, ...]:
    return ("method", "path", *_MATCH_KEYS)


# --- path globs -------------------------------------------------------------------------------
def compile_glob(pattern: Any) -> tuple[re.Pattern[str] | None, str]:
    """``(regex or None for a literal path, literal prefix)``; FaultError on a bad glob.

    ``*`` is any text inside one segment (a whole ``*`` segment: one non-empty segment),
    ``**`` a whole segment standing for any depth, zero segments included.
    """
    allowed = ('"match.path" must be a path starting with "/": exact, or a glob where "*" '
               'stands for one segment and "**" (a whole segment) for any depth')
    if not isinstance(pattern, str) or not pattern.startswith("/"):
        raise FaultError(allowed)
    if any(ch in pattern for ch in "?#\\") or any(ch.isspace() for ch in pattern):
        raise FaultError(f"{allowed}; no query, fragment, backslash or space")
    segments = pattern[1:].split("/")
    literal: list[str] = []
    regex = ""
    globbed = False
    for segment in segments:
        if "**" in segment and segment != "**":
            raise FaultError(f'{allowed}; "**" must be a whole segment, not {segment!r}')
        if segment == "**":
            regex += "(?:/.*)?"
            globbed = True
        elif "*" in segment:
            regex += "/[^/]+" if segment == "*" else "/" + "[^/]*".join(
                re.escape(part) for part in segment.split("*")
            )
            globbed = True
        else:
            regex += "/" + re.escape(segment)
            if not globbed:
                literal.append(segment)
    prefix = "/" + "/".join(literal) if literal else ""
    if not globbed:
        return None, pattern
    return re.compile(regex + r"\Z", re.DOTALL), prefix


# --- rules -----------------------------------------------------------------------------------
@dataclass(eq=False)
class Rule:
    """A stored rule; also a context manager that removes it on exit."""

    id: int
    path: str
    method: str | None
    extra: dict[str, Any]
    times: int | None
    after: int
    error: str | None
    respond: dict[str, Any] | None
    delay_ms: float
    drop: bool
    regex: re.Pattern[str] | None
    prefix: str
    remaining: int | None = None
    matched: int = 0
    removed: bool = False
    _faults: Faults | None = field(default=None, repr=False)

    def matches(self, path: str, info: RequestInfo) -> bool:
        if self.regex is None:
            if path != self.path:
                return False
        elif self.regex.match(path) is None:
            return False
        return all(_MATCH_KEYS[name].test(value, info) for name, value in self.extra.items())

    def to_json(self) -> dict[str, Any]:
        match: dict[str, Any] = {"path": self.path}
        if self.method is not None:
            match["method"] = self.method
        match.update(self.extra)
        delay: float | int = self.delay_ms
        if delay == int(delay):
            delay = int(delay)
        return {
            "id": self.id,
            "match": match,
            "times": self.times,
            "after": self.after,
            "error": self.error,
            "respond": self.respond,
            "delay_ms": delay,
            "drop": self.drop,
            "remaining": self.remaining,
            "matched": self.matched,
        }

    def remove(self) -> None:
        if self._faults is not None:
            self._faults.remove(self.id)

    def __enter__(self) -> Rule:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def __getitem__(self, key: str) -> Any:  # rule["id"], as in the HTTP answer
        return self.to_json()[key]


def _int(body: Mapping[str, Any], key: str, default: int | None, *, minimum: int,
         allow_null: bool = False) -> int | None:
    value = body.get(key, default)
    if value is None and allow_null:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        null = " or null (until removed)" if allow_null else ""
        raise FaultError(f'"{key}" must be an integer >= {minimum}{null}')
    return value


def _respond(value: Any) -> dict[str, Any]:
    allowed = ('"respond" must be an object {"status": 100-599, "headers": {name: text}, '
               'and at most one of "json" (any JSON) or "body" (text)}')
    if not isinstance(value, dict):
        raise FaultError(allowed)
    unknown = [k for k in value if k not in RESPOND_FIELDS]
    if unknown:
        raise FaultError(f"{allowed}; unknown field {unknown[0]!r}")
    status = value.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise FaultError(allowed)
    headers = value.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) and "\n" not in v and "\r" not in v
        for k, v in headers.items()
    ):
        raise FaultError(allowed)
    if "json" in value and "body" in value:
        raise FaultError(allowed + '; not both "json" and "body"')
    if "body" in value and not isinstance(value["body"], str):
        raise FaultError(allowed)
    return {k: value[k] for k in RESPOND_FIELDS if k in value}


def render_respond(respond: Mapping[str, Any]) -> Response:
    headers = dict(respond.get("headers", {}))
    if "json" in respond:
        response = Response(json.dumps(respond["json"], separators=(",", ":")),
                            respond["status"], mimetype="application/json")
    else:
        response = Response(respond.get("body", ""), respond["status"],
                            mimetype="text/plain")
    for name, value in headers.items():
        response.headers[name] = value
    return response


# --- parsing a rule ----------------------------------------------------------------------------
def parse_rule(body: Mapping[str, Any],
               catalogue: Callable[[], Mapping[str, CatalogueEntry]]) -> Rule:
    """Validate an HTTP rule (``{"match": {...}, ...}``) into an unstored Rule (id 0).

    ``catalogue`` is asked only when the rule names an ``error``.
    """
    if not isinstance(body, Mapping):
        raise FaultError("a rule must be a JSON object")
    unknown = [k for k in body if k not in RULE_FIELDS]
    if unknown:
        raise FaultError(f"unknown field {unknown[0]!r}; allowed: {', '.join(RULE_FIELDS)}")
    path, regex, prefix, method, extra = _parse_match(body.get("match"))
    times = _int(body, "times", 1, minimum=1, allow_null=True)
    after = _int(body, "after", 0, minimum=0)
    assert after is not None
    delay, drop, error, respond = _parse_action(body, catalogue)
    return Rule(
        id=0, path=path, method=method, extra=extra, times=times, after=after,
        error=error, respond=respond, delay_ms=float(delay), drop=drop, regex=regex,
        prefix=prefix, remaining=times,
    )


def _parse_match(
    match: Any,
) -> tuple[str, re.Pattern[str] | None, str, str | None, dict[str, Any]]:
    """``match`` into (path, glob regex, literal prefix, method, the other match keys)."""
    if not isinstance(match, Mapping):
        raise FaultError('"match" is required: an object with "path" (and optionally '
                         f'{", ".join(repr(k) for k in match_keys() if k != "path")})')
    allowed_keys = match_keys()
    unknown = [k for k in match if k not in allowed_keys]
    if unknown:
        raise FaultError(f'unknown field "match.{unknown[0]}"; allowed: '
                         f'{", ".join(allowed_keys)}')
    if "path" not in match:
        raise FaultError('"match.path" is required')
    regex, prefix = compile_glob(match["path"])
    method = match.get("method")
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise FaultError(f'"match.method" must be one of {", ".join(METHODS)}')
        method = method.upper()
    extra: dict[str, Any] = {}
    for name, value in match.items():
        if name in ("method", "path") or value is None:
            continue
        extra[name] = _MATCH_KEYS[name].parse(value)
    return match["path"], regex, prefix, method, extra


def _parse_action(
    body: Mapping[str, Any], catalogue: Callable[[], Mapping[str, CatalogueEntry]],
) -> tuple[float, bool, str | None, dict[str, Any] | None]:
    """What the rule does: (delay_ms, drop, error name, respond), checked together."""
    delay = body.get("delay_ms", 0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (
        0 <= delay <= MAX_DELAY_MS
    ):
        raise FaultError(
            f'"delay_ms" must be a number of milliseconds from 0 to {MAX_DELAY_MS}'
        )
    drop = body.get("drop", False)
    if not isinstance(drop, bool):
        raise FaultError('"drop" must be true or false')
    error = body.get("error")
    respond = body.get("respond")
    if error is not None and respond is not None:
        raise FaultError('give "error" or "respond", not both')
    if drop and (error is not None or respond is not None):
        raise FaultError('"drop" sends no response: it cannot go with "error" or "respond"')
    if error is not None:
        names = catalogue()
        if not isinstance(error, str) or error not in names:
            raise FaultError(
                f"unknown error {error!r}; this flavour's errors: {', '.join(names)}"
            )
    if respond is not None:
        respond = _respond(respond)
    if error is None and respond is None and not drop and not delay:
        raise FaultError('a rule needs an action: "error", "respond", "drop" or "delay_ms"')
    return delay, drop, error, respond
