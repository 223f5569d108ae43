"""How to: use authmock without its pytest plugin, e.g. from unittest or a script.

`run_in_thread` starts a live server in about a millisecond and stops it as fast; the object
it yields is also the control handle (`.clock`, `.mailbox`, `.journal`, `.reset()`).
"""

from __future__ import annotations

import requests

import authmock


def test_run_in_thread_with_a_seed_is_reproducible() -> None:
    tokens = []
    for _ in range(2):
        with authmock.run_in_thread("paystub", seed=1234) as server:
            response = requests.post(
                f"{server.url}/admin/auth/login",
                json={"email": "owner@example.com", "password": "your-password"},
                headers={"Accept": "application/json"},
                timeout=5,
            )
            tokens.append(response.json()["data"]["token"]["access_token"])
    assert tokens[0] == tokens[1]  # same seed, same token: whole runs replay exactly


def test_password_reset_link_from_the_mailbox() -> None:
    with authmock.run_in_thread("paystub") as server:
        requests.post(
            f"{server.url}/admin/auth/forgot-password",
            json={"email": "manager@example.com"},
            headers={"Accept": "application/json"},
            timeout=5,
        )
        message = server.mailbox.last(to="manager@example.com")
        assert message is not None and message.token
        reset = requests.post(
            f"{server.url}/admin/auth/reset-password",
            json={"token": message.token, "email": "manager@example.com",
                  "password": "brand-new-pass", "password_confirmation": "brand-new-pass"},
            headers={"Accept": "application/json"},
            timeout=5,
        )
        assert reset.status_code == 200
        login = requests.post(
            f"{server.url}/admin/auth/login",
            json={"email": "manager@example.com", "password": "brand-new-pass"},
            headers={"Accept": "application/json"},
            timeout=5,
        )
        assert login.status_code == 200
