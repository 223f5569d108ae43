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

import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Request, Response, g

from authmock.fault_rules import (
    _MATCH_KEYS,
    DEFERRED_DELAY,
    G_ROUTE_RESPONSE,
    MAX_DELAY_MS,
    METHODS,
    RESPOND_FIELDS,
    RULE_FIELDS,
    CatalogueEntry,
    DropConnection,
    FaultError,
    MatchKey,
    RequestInfo,
    Rule,
    compile_glob,
    match_keys,
    parse_rule,
    register_match_key,
    render_respond,
)

if TYPE_CHECKING:
    from authmock.mock import Mock

__all__ = [
    "DEFERRED_DELAY",
    "G_ROUTE_RESPONSE",
    "MAX_DELAY_MS",
    "METHODS",
    "RESPOND_FIELDS",
    "RULE_FIELDS",
    "_MATCH_KEYS",
    "CatalogueEntry",
    "DropConnection",
    "FaultError",
    "Faults",
    "MatchKey",
    "RequestInfo",
    "Rule",
    "compile_glob",
    "match_keys",
    "parse_rule",
    "register_match_key",
    "render_respond",
]


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
        return parse_rule(body, self.catalogue)

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
