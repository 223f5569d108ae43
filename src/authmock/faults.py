"""Fault rules: make any failure happen on demand, the same engine for every flavour.

A rule names where it applies (``match``: method, path glob, user, and any key registered with
``register_match_key``) and what happens (a named error of the flavour's catalogue, a
``respond`` of your own, a ``delay_ms``, or ``drop``). Rules are checked in the order added;
``times``/``after`` are counted under one lock, so each matching request is counted exactly
once however many threads serve.

Speed: with no rule the engine costs one attribute test a request. Rules are indexed by
(method, literal path prefix): a request makes one set lookup per prefix of its path (and two
dict lookups where a prefix has rules), never a scan of every rule.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Request, Response, g

if TYPE_CHECKING:
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
        delay: float | int = int(self.delay_ms) if self.delay_ms == int(self.delay_ms) else self.delay_ms
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


class Faults:
    """The rules of one app, checked before every product request."""

    def __init__(self, mock: Mock | None = None) -> None:
        self._mock = mock
        self._lock = threading.Lock()
        self._rules: dict[int, Rule] = {}
        self._index: dict[tuple[str, str], list[Rule]] = {}
        self._prefixes: dict[str, int] = {}  # literal prefix -> rules indexed under it
        self._next_id = 1
        self._catalogue: Mapping[str, CatalogueEntry] | None = None

    # --- the catalogue ---------------------------------------------------------------------
    def catalogue(self) -> Mapping[str, CatalogueEntry]:
        """The flavour's named errors (built on first use, after the flavour's setup)."""
        if self._catalogue is None:
            if self._mock is None:
                return {}
            self._catalogue = self._mock.flavour.error_catalogue(self._mock)
        return self._catalogue

    def catalogue_json(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "status": entry.status, "description": entry.description}
            for name, entry in self.catalogue().items()
        ]

    # --- storing ---------------------------------------------------------------------------
    def parse(self, body: Mapping[str, Any]) -> Rule:
        """Validate an HTTP rule (``{"match": {...}, ...}``); nothing is stored."""
        if not isinstance(body, Mapping):
            raise FaultError("a rule must be a JSON object")
        unknown = [k for k in body if k not in RULE_FIELDS]
        if unknown:
            raise FaultError(f"unknown field {unknown[0]!r}; allowed: {', '.join(RULE_FIELDS)}")
        match = body.get("match")
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
        times = _int(body, "times", 1, minimum=1, allow_null=True)
        after = _int(body, "after", 0, minimum=0)
        assert after is not None
        delay = body.get("delay_ms", 0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (
            0 <= delay <= MAX_DELAY_MS
        ):
            raise FaultError(f'"delay_ms" must be a number of milliseconds from 0 to {MAX_DELAY_MS}')
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
            catalogue = self.catalogue()
            if not isinstance(error, str) or error not in catalogue:
                raise FaultError(
                    f"unknown error {error!r}; this flavour's errors: {', '.join(catalogue)}"
                )
        if respond is not None:
            respond = _respond(respond)
        if error is None and respond is None and not drop and not delay:
            raise FaultError('a rule needs an action: "error", "respond", "drop" or "delay_ms"')
        return Rule(
            id=0, path=match["path"], method=method, extra=extra, times=times, after=after,
            error=error, respond=respond, delay_ms=float(delay), drop=drop, regex=regex,
            prefix=prefix, remaining=times,
        )

    def add(
        self,
        path: Any = None,
        *,
        method: str | None = None,
        user: str | None = None,
        error: str | None = None,
        respond: dict[str, Any] | None = None,
        times: int | None = 1,
        after: int = 0,
        delay_ms: float = 0,
        drop: bool = False,
        **match: Any,
    ) -> Rule:
        """Add a rule and return it (a context manager that removes it on exit).

        ``faults.add("/auth/refresh", error="TOKEN_EXPIRED")``; a dict in the HTTP shape
        (``{"match": {...}, ...}``) is accepted too. Raises FaultError on bad input.
        """
        if isinstance(path, Mapping):
            return self.add_json(path)
        body: dict[str, Any] = {
            "match": {"path": path, "method": method, "user": user, **match},
            "times": times, "after": after, "delay_ms": delay_ms, "drop": drop,
        }
        if error is not None:
            body["error"] = error
        if respond is not None:
            body["respond"] = respond
        return self.add_json(body)

    def add_json(self, body: Mapping[str, Any]) -> Rule:
        rule = self.parse(body)
        key = (rule.method or "*", rule.prefix)
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            rule._faults = self
            self._rules[rule.id] = rule
            self._index.setdefault(key, []).append(rule)
            self._prefixes[rule.prefix] = self._prefixes.get(rule.prefix, 0) + 1
        return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            rule = self._rules.pop(rule_id, None)
            if rule is None:
                return False
            rule.removed = True
            key = (rule.method or "*", rule.prefix)
            bucket = [r for r in self._index.get(key, []) if r is not rule]
            if bucket:
                self._index[key] = bucket
            else:
                self._index.pop(key, None)
            left = self._prefixes[rule.prefix] - 1  # in place: readers take no lock
            if left:
                self._prefixes[rule.prefix] = left
            else:
                del self._prefixes[rule.prefix]
            return True

    def adopt(self, other: Faults) -> None:
        """Take over ``other``'s rules with their counts (a fixture reload), ids kept; a rule
        naming an error this flavour's catalogue no longer has is dropped."""
        catalogue = self.catalogue()
        with other._lock:
            rules = list(other._rules.values())
            next_id = other._next_id
        with self._lock:
            for old in rules:
                if old.error is not None and old.error not in catalogue:
                    continue
                rule = Rule(**{**old.__dict__, "_faults": self})
                self._rules[rule.id] = rule
                self._index.setdefault((rule.method or "*", rule.prefix), []).append(rule)
                self._prefixes[rule.prefix] = self._prefixes.get(rule.prefix, 0) + 1
            self._next_id = max(self._next_id, next_id)

    def rules(self) -> list[Rule]:
        with self._lock:
            return list(self._rules.values())

    def get(self, rule_id: int) -> Rule | None:
        with self._lock:
            return self._rules.get(rule_id)

    def clear(self) -> None:
        with self._lock:
            for rule in self._rules.values():
                rule.removed = True
            self._rules.clear()
            self._index.clear()
            self._prefixes.clear()
            self._next_id = 1

    def __len__(self) -> int:
        return len(self._rules)

    # --- applying ----------------------------------------------------------------------------
    def _candidates(self, method: str, path: str) -> list[Rule]:
        """Rules indexed under a prefix of ``path`` for this method or any, in the order added.

        Most prefixes of a path index no rule: one set lookup each rules them out.
        """
        prefixes = self._prefixes
        index = self._index
        found: list[Rule] = []
        buckets = 0
        prefix = ""
        end = 0
        while True:
            if prefix in prefixes:
                for key in ((method, prefix), ("*", prefix)):
                    bucket = index.get(key)
                    if bucket:
                        found.extend(bucket)
                        buckets += 1
            if end == -1:
                break
            end = path.find("/", end + 1)
            prefix = path if end == -1 else path[:end]
        if buckets > 1:
            found.sort(key=lambda r: r.id)
        return found

    def select(self, info: RequestInfo) -> Rule | None:
        """The rule that acts on this request (its counters moved), or None."""
        if not self._rules:
            return None
        request = info.request
        path = request.path
        candidates = self._candidates(request.method, path)
        for rule in candidates:
            if not rule.matches(path, info):
                continue
            with self._lock:
                if rule.removed:
                    continue
                rule.matched += 1
                if rule.matched <= rule.after or rule.remaining == 0:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
            return rule
        return None

    def intercept(self, request: Request) -> Response | None:
        """A response to send instead of the product's, or None to let the product answer."""
        mock = self._mock
        if mock is None or not self._rules:
            return None
        info = g.get("authmock_info")
        if info is None:
            info = RequestInfo(mock, request)
        rule = self.select(info)
        if rule is None:
            return None
        g.authmock_fault = rule.id
        if rule.error is not None or rule.respond is not None or rule.drop:
            mock.reason(f"fault rule {rule.id}")
        if rule.delay_ms:
            deferred = DEFERRED_DELAY.get()
            if deferred is not None:
                deferred.append(rule.delay_ms / 1000.0)
            else:
                time.sleep(rule.delay_ms / 1000.0)
        if rule.drop:
            mock.journal.record(
                request.method, request.path, request.query_string.decode("latin-1"), 0,
                mock.clock.time(), info.user, rule.id, g.get("authmock_reason"),
            )
            raise DropConnection(rule.id)
        if rule.respond is not None:
            return render_respond(rule.respond)
        if rule.error is not None:
            entry = self.catalogue()[rule.error]
            if entry.stage == "route":
                g.setdefault(G_ROUTE_RESPONSE, entry.render)
                return None
            return entry.render()
        return None
