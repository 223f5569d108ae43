"""Fault injection: a stub until its own issue lands.

The request pipeline already asks ``Faults.intercept()`` before every product request, so the
real rules can plug in without touching the flavours. Today no rule can be added and the
control API lists none.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Request, Response


class FaultsNotImplemented(Exception):
    """Raised when someone tries to add a rule before fault injection exists."""


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[dict[str, Any]] = []

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._rules)

    def add(self, rule: dict[str, Any]) -> dict[str, Any]:
        raise FaultsNotImplemented("fault injection is not implemented yet")

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def intercept(self, request: Request) -> Response | None:
        """A response to send instead of the product's, or None (always None for now)."""
        return None
