"""Every request an app answered, on the mock clock. Capped so long runs stay small.

Recording is on every request's path, so it keeps a tuple; the JSON shape (with the ISO time)
is built only when someone reads the journal. ``assert_called`` and friends answer "was it
called, how often, by whom" and, when not, list what was called instead.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from datetime import datetime, timezone
from typing import Any

from authmock.clock import isoformat, parse_instant

DEFAULT_LIMIT = 1000

# method, path, query, status, mock time, user, fault rule id, reason, operation (a GraphQL
# request's name, shown) and the names it answers to in filters (that name and its root fields)
_Entry = tuple[str, str, str, int, float, "str | None", "int | None", "str | None", "str | None",
               "frozenset[str]"]
_NO_NAMES: frozenset[str] = frozenset()


def _path_test(pattern: str | None) -> Any:
    """A predicate for an exact path or a glob (``*`` one segment, ``**`` any depth)."""
    if pattern is None:
        return None
    from authmock.faults import compile_glob

    regex, _ = compile_glob(pattern)
    if regex is None:
        return lambda path: path == pattern
    return lambda path: regex.match(path) is not None


class Journal:
    def __init__(self, flavour: str, limit: int = DEFAULT_LIMIT) -> None:
        self.flavour = flavour
        self.limit = limit
        self._lock = threading.Lock()
        self._entries: deque[_Entry] = deque(maxlen=limit)

    def record(
        self,
        method: str,
        path: str,
        query: str,
        status: int,
        at: float,
        user: str | None = None,
        fault: int | None = None,
        reason: str | None = None,
        operation: tuple[str, frozenset[str]] | None = None,
    ) -> None:
        """``operation``: a GraphQL request's ``(label, names)`` (see ``Mock.operation``)."""
        label, names = operation if operation is not None else (None, _NO_NAMES)
        with self._lock:
            self._entries.append(
                (method, path, query, status, at, user, fault, reason, label, names)
            )

    def _select(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        status: int | None = None,
        user: str | None = None,
        since: float | str | datetime | None = None,
        operation: str | None = None,
    ) -> list[_Entry]:
        with self._lock:
            entries = list(self._entries)
        test_path = _path_test(path)
        wanted_method = method.upper() if method else None
        wanted_user = user.casefold() if user else None
        if isinstance(since, (str, datetime)):
            since = parse_instant(since).timestamp()
        return [
            e for e in entries
            if (wanted_method is None or e[0] == wanted_method)
            and (test_path is None or test_path(e[1]))
            and (status is None or e[3] == status)
            and (wanted_user is None or e[5] == wanted_user)
            and (since is None or e[4] >= since)
            and (operation is None or operation in e[9])
        ]

    @staticmethod
    def _json(entry: _Entry, flavour: str) -> dict[str, Any]:
        method, path, query, status, at, user, fault, reason, operation, _ = entry
        return {
            "method": method,
            "path": path,
            "query": query,
            "status": status,
            "at": isoformat(datetime.fromtimestamp(at, tz=timezone.utc)),
            "flavour": flavour,
            "user": user,
            "fault": fault,
            "reason": reason,
            "operation": operation,
        }

    def entries(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        status: int | None = None,
        user: str | None = None,
        since: float | str | datetime | None = None,
        operation: str | None = None,
    ) -> list[dict[str, Any]]:
        """Oldest first: ``{"method", "path", "query", "status", "at", "flavour", "user",
        "fault", "reason", "operation"}``, filtered by any of the arguments (``path`` may be a
        glob, ``since`` an ISO-8601 instant, a datetime or epoch seconds on the mock clock,
        ``operation`` a GraphQL operation name or root field)."""
        return [
            self._json(e, self.flavour)
            for e in self._select(method, path, status=status, user=user, since=since,
                                  operation=operation)
        ]

    def count(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        status: int | None = None,
        user: str | None = None,
        since: float | str | datetime | None = None,
        operation: str | None = None,
    ) -> int:
        return len(self._select(method, path, status=status, user=user, since=since,
                                operation=operation))

    def _made(self) -> str:
        with self._lock:
            entries = list(self._entries)
        if not entries:
            return "no requests were made"
        lines = [
            f"  {m} {p}{'?' + q if q else ''}{f' [{o}]' if o else ''} -> {s}"
            + (f" ({u})" if u else "")
            for m, p, q, s, _, u, _, _, o, _ in entries[-50:]
        ]
        more = f" (last 50 of {len(entries)})" if len(entries) > 50 else ""
        return "requests made" + more + ":\n" + "\n".join(lines)

    @staticmethod
    def _describe(method: str | None, path: str | None, status: int | None,
                  user: str | None, operation: str | None = None) -> str:
        text = f"{method.upper() if method else '*'} {path or '**'}"
        if operation is not None:
            text += f" [{operation}]"
        if status is not None:
            text += f" with status {status}"
        if user is not None:
            text += f" by {user}"
        return text

    def assert_called(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        times: int | None = None,
        status: int | None = None,
        user: str | None = None,
        operation: str | None = None,
    ) -> None:
        """At least once (or exactly ``times``); AssertionError lists what was called."""
        count = self.count(method, path, status=status, user=user, operation=operation)
        if (times is None and count > 0) or count == times:
            return
        wanted = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
        raise AssertionError(
            f"expected {self._describe(method, path, status, user, operation)} {wanted}, "
            f"got {count}; {self._made()}"
        )

    def assert_not_called(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        status: int | None = None,
        user: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.assert_called(method, path, times=0, status=status, user=user, operation=operation)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_QUERY_KEYS = ("method", "path", "status", "since", "user", "operation")


def query_filters(args: Any) -> dict[str, Any]:
    """The control API's ``?method=&path=&status=&since=&user=&operation=``; ValueError names
    the problem."""
    unknown = [k for k in args if k not in _QUERY_KEYS]
    if unknown:
        raise ValueError(f"unknown filter {unknown[0]!r}; allowed: {', '.join(_QUERY_KEYS)}")
    filters: dict[str, Any] = {}
    if args.get("method"):
        filters["method"] = args["method"]
    if args.get("path"):
        filters["path"] = args["path"]
    if args.get("user"):
        filters["user"] = args["user"]
    if args.get("operation"):
        filters["operation"] = args["operation"]
    if args.get("status"):
        if not re.fullmatch(r"[1-5][0-9][0-9]|0", args["status"]):
            raise ValueError('"status" must be an HTTP status code such as 401')
        filters["status"] = int(args["status"])
    if args.get("since"):
        try:
            filters["since"] = parse_instant(args["since"]).timestamp()
        except ValueError:
            raise ValueError('"since" must be an ISO-8601 date-time such as '
                             '2030-01-01T00:00:00Z') from None
    if "path" in filters:
        _path_test(filters["path"])  # FaultError (a ValueError) on a bad glob
    return filters
