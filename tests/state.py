"""A snapshot of every store table, to prove a request changed nothing (or everything back)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from authmock.store import Store


def snapshot(store: Store, skip: Collection[str] = ()) -> dict[str, dict[Any, Any]]:
    """Every table's rows, read under the store lock (so never half a request's writes)."""
    with store.lock:
        return {name: dict(table.items()) for name, table in store._tables.items()
                if name not in skip}
