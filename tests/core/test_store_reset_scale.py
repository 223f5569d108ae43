"""A reset dropping thousands of rows stays microseconds: the rows are freed by a daemon
thread afterwards. The table is empty at once and the rows really are freed."""

from __future__ import annotations

import threading
import weakref

from authmock.store import BURY_AT, Store


class Row:
    """A row that can be watched for being freed (plain dicts take no weak references)."""


def test_many_changes_are_dropped_at_once_and_freed_later() -> None:
    store = Store()
    table = store.table("sessions", {"fixture": {"kept": True}})
    watched = Row()
    table.put("watched", watched)
    for i in range(BURY_AT * 4):
        table.put(f"s{i}", {"n": i})
    gone = weakref.ref(watched)
    del watched
    store.reset()
    assert list(table.items()) == [("fixture", {"kept": True})]
    for _ in range(500):  # the janitor frees them within moments
        if gone() is None:
            break
        threading.Event().wait(0.01)
    assert gone() is None


def test_a_small_reset_frees_on_the_spot() -> None:
    store = Store()
    table = store.table("t")
    watched = Row()
    table.put("w", watched)
    gone = weakref.ref(watched)
    del watched
    store.reset()
    assert gone() is None
    assert len(table) == 0
