"""Expired session rows are dropped at the next login (Directus's own housekeeping), now
through an expiry heap instead of a scan: same rows dropped, same rows kept."""

from __future__ import annotations

from typing import Any

from .helpers import ADMIN, HELLO, T0, login, tokens


def _sessions(mock: Any) -> dict[str, Any]:
    return dict(mock.store["directus_sessions"].items())


def test_a_login_drops_only_the_expired_rows(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    old = tokens(client)["refresh_token"]
    directus_mock.clock.advance("6d")
    younger = tokens(client, HELLO)["refresh_token"]
    directus_mock.clock.advance(86400 + 1)  # old is a second past its 7 days
    assert old in _sessions(directus_mock)  # expired, but nobody logged in since
    newest = tokens(client)["refresh_token"]
    assert set(_sessions(directus_mock)) == {younger, newest}


def test_a_refreshed_row_lives_by_its_new_expiry(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    first = tokens(client)["refresh_token"]
    directus_mock.clock.advance("6d")
    refreshed = client.post("/auth/refresh", json={"refresh_token": first}).get_json()
    second = refreshed["data"]["refresh_token"]
    directus_mock.clock.advance("2d")  # past the first expiry, well inside the refreshed one
    tokens(client, HELLO)
    assert second in _sessions(directus_mock)
    assert client.post("/auth/refresh", json={"refresh_token": second}).status_code == 200


def test_session_mode_grace_rows_go_after_the_grace(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    login(client, ADMIN, mode="session")
    assert client.post("/auth/refresh", json={"mode": "session"}).status_code == 200
    assert len(_sessions(directus_mock)) == 2  # the old row lives on for the grace period
    directus_mock.clock.advance(11)
    tokens(client, HELLO)
    assert len(_sessions(directus_mock)) == 2  # old row gone; the new one and HELLO's remain


def test_many_live_sessions_and_a_reset(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    for _ in range(50):
        tokens(client)
    directus_mock.reset()
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    directus_mock.clock.advance("8d")  # the pre-reset rows are gone; their heap entries stale
    fresh = tokens(client)["refresh_token"]
    assert set(_sessions(directus_mock)) == {fresh}
