from __future__ import annotations

import threading

import pytest

from authmock.store import Store


def test_reset_restores_fixture_rows_and_drops_new_ones() -> None:
    store = Store()
    users = store.table("users", {1: {"name": "a"}, 2: {"name": "b"}})
    users.put(1, {"name": "changed"})
    users.put(3, {"name": "new"})
    users.delete(2)
    assert list(users.items()) == [(1, {"name": "changed"}), (3, {"name": "new"})]
    store.reset()
    assert list(users.items()) == [(1, {"name": "a"}), (2, {"name": "b"})]


def test_transaction_rolls_back_every_write_on_exception() -> None:
    store = Store()
    users = store.table("users", {1: {"n": 0}})
    with pytest.raises(RuntimeError), store.transaction():
        users.put(1, {"n": 1})
        users.put(2, {"n": 2})
        users.delete(1)
        store.next_id("ids")
        raise RuntimeError
    assert dict(users.items()) == {1: {"n": 0}}
    assert store.next_id("ids") == 1


def test_transaction_keeps_writes_when_it_completes() -> None:
    store = Store()
    users = store.table("users")
    with store.transaction():
        users.put("x", 1)
    assert users["x"] == 1
    assert "x" in users and len(users) == 1


def test_next_id_increases_and_restarts_on_reset() -> None:
    store = Store()
    assert [store.next_id("t"), store.next_id("t"), store.next_id("u", start=10)] == [1, 2, 10]
    store.reset()
    assert store.next_id("t") == 1


def test_concurrent_transactions_never_interleave() -> None:
    store = Store()
    table = store.table("counter", {"n": 0})

    def bump() -> None:
        for _ in range(200):
            with store.transaction():
                value = table["n"]
                table.put("n", value + 1)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert table["n"] == 800
