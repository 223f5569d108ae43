"""POST /admin/auth/login: success shape, refusals, validation and the login throttle."""

from __future__ import annotations

import hashlib
import re
import zlib

import pytest

from authmock.pytest_plugin import MockFixture
from tests.paystub.helpers import PASSWORD, bearer, error, freeze, json_of, login

TOKEN = re.compile(r"^(\d+)\|([A-Za-z0-9]{40})([0-9a-f]{8})$")
OWNER_PERMISSIONS = [
    "dashboard:stats",
    "users:list",
    "users:create",
    "users:view",
    "users:update",
    "users:delete",
    "sites:list",
    "sites:create",
    "sites:view",
    "sites:update",
    "sites:delete",
    "roles:list",
    "roles:create",
    "roles:view",
    "roles:update",
    "roles:delete",
]


def test_login_returns_the_full_user_and_a_sanctum_token(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    response = login(paystub_mock.client)
    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.json
    assert list(body) == ["success", "data"]
    assert body["success"] is True
    user = body["data"]["user"]
    assert list(user) == [
        "id",
        "site_id",
        "role_id",
        "first_name",
        "last_name",
        "email",
        "klaviyo_id",
        "slack_id",
        "email_verified_at",
        "total_spent",
        "metadata",
        "settings",
        "status",
        "created_at",
        "updated_at",
        "site",
        "role",
        "meta",
    ]
    assert (user["id"], user["first_name"], user["last_name"]) == (1, "John", "Doe")
    assert user["email"] == "owner@example.com"
    assert user["status"] == "Active"
    assert user["site"]["identifier"] == "paystub"
    assert user["site"]["payment_processors"] == ["Stripe"]
    assert user["role"]["id"] == user["role_id"] == 1
    assert user["role"]["name"] == "Owner"
    assert user["role"]["permissions"] == OWNER_PERMISSIONS
    assert user["meta"] == {"is_verified": True, "permissions": OWNER_PERMISSIONS}
    assert "password" not in user
    token = body["data"]["token"]
    assert token["token_type"] == "Bearer"
    assert token["expires_at"] == "2025-02-13T10:00:00Z"  # issue + 24 h, as in the seed
    match = TOKEN.match(token["access_token"])
    assert match is not None
    assert match.group(1) == "1"
    assert match.group(3) == format(zlib.crc32(match.group(2).encode()) & 0xFFFFFFFF, "08x")


def test_token_ids_increase_and_only_the_sha256_is_kept(paystub_mock: MockFixture) -> None:
    first = login(paystub_mock.client).json["data"]["token"]["access_token"]
    second = login(paystub_mock.client, "manager@example.com").json["data"]["token"]["access_token"]
    assert first.startswith("1|") and second.startswith("2|")
    rows = list(paystub_mock.store.table("paystub_tokens").values())
    secret = first.split("|", 1)[1]
    assert rows[0]["token"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(rows)


def test_email_matches_case_insensitively_and_is_trimmed(paystub_mock: MockFixture) -> None:
    response = login(paystub_mock.client, "  Owner@Example.COM ")
    assert response.status_code == 200
    assert response.json["data"]["user"]["email"] == "owner@example.com"


def test_form_encoded_login_works_like_laravel(paystub_mock: MockFixture) -> None:
    response = paystub_mock.client.post(
        "/admin/auth/login", data={"email": "owner@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("owner@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_credentials_are_422_on_email(
    paystub_mock: MockFixture, email: str, password: str
) -> None:
    response = login(paystub_mock.client, email, password)
    assert response.status_code == 422
    assert response.json == error(
        "The given data was invalid.",
        {"email": ["These credentials do not match our records."]},
    )


@pytest.mark.authmock(profile="server")
def test_wrong_credentials_in_the_server_profile(paystub_mock: MockFixture) -> None:
    response = login(paystub_mock.client, "owner@example.com", "nope")
    assert response.status_code == 422
    assert response.json == error(
        "These credentials do not match our records.",
        {"email": ["These credentials do not match our records."]},
    )


@pytest.mark.parametrize("email", ["customer@example.com", "suspended@example.com"])
def test_customers_and_suspended_admins_are_refused_with_403(
    paystub_mock: MockFixture, email: str
) -> None:
    response = login(paystub_mock.client, email)
    assert response.status_code == 403
    assert response.json == error("This action is unauthorized.")
    assert len(paystub_mock.store.table("paystub_tokens")) == 0


def test_customer_with_a_wrong_password_gets_the_credentials_error(
    paystub_mock: MockFixture,
) -> None:
    response = login(paystub_mock.client, "customer@example.com", "wrong")
    assert response.status_code == 422


# --- the login throttle: 5 failures per e-mail + IP, then 60 s ---------------------------------
def _fail(paystub_mock: MockFixture, times: int, email: str = "owner@example.com") -> None:
    for _ in range(times):
        assert login(paystub_mock.client, email, "wrong").status_code == 422


def test_sixth_attempt_after_five_failures_is_throttled(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _fail(paystub_mock, 5)
    response = login(paystub_mock.client)  # even the right password
    assert response.status_code == 422
    assert response.json == error(
        "The given data was invalid.",
        {"email": ["Too many login attempts. Please try again in 60 seconds."]},
    )


@pytest.mark.authmock(profile="server")
def test_throttle_message_in_the_server_profile(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _fail(paystub_mock, 5)
    paystub_mock.clock.advance(15)
    response = login(paystub_mock.client)
    message = "Too many login attempts. Please try again in 45 seconds."
    assert response.json == error(message, {"email": [message]})


def test_four_failures_do_not_lock_the_account(paystub_mock: MockFixture) -> None:
    _fail(paystub_mock, 4)
    assert login(paystub_mock.client).status_code == 200  # the 5th attempt may still succeed


def test_throttle_lasts_60_seconds_from_the_first_failure(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _fail(paystub_mock, 5)
    paystub_mock.clock.advance(59)
    response = login(paystub_mock.client)
    assert response.json["errors"]["email"] == [
        "Too many login attempts. Please try again in 1 seconds."
    ]
    paystub_mock.clock.advance(1)
    assert login(paystub_mock.client).status_code == 200


def test_window_opens_at_the_first_failure(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _fail(paystub_mock, 1)
    paystub_mock.clock.advance(30)
    _fail(paystub_mock, 4)
    response = login(paystub_mock.client)
    assert response.json["errors"]["email"] == [
        "Too many login attempts. Please try again in 30 seconds."
    ]


def test_throttle_is_per_email(paystub_mock: MockFixture) -> None:
    _fail(paystub_mock, 5)
    assert login(paystub_mock.client, "manager@example.com").status_code == 200


def test_throttle_is_per_client_ip(paystub_mock: MockFixture) -> None:
    _fail(paystub_mock, 5)
    body = {"email": "owner@example.com", "password": PASSWORD}
    elsewhere = paystub_mock.client.post(
        "/admin/auth/login", json=body, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert elsewhere.status_code == 200
    assert login(paystub_mock.client).status_code == 422  # still locked for the first IP


def test_throttle_key_ignores_email_case(paystub_mock: MockFixture) -> None:
    _fail(paystub_mock, 5, "OWNER@example.com")
    assert login(paystub_mock.client).status_code == 422


def test_success_clears_the_failure_count(paystub_mock: MockFixture) -> None:
    _fail(paystub_mock, 4)
    assert login(paystub_mock.client).status_code == 200
    _fail(paystub_mock, 4)
    assert login(paystub_mock.client).status_code == 200


def test_throttled_answers_do_not_extend_the_window(paystub_mock: MockFixture) -> None:
    freeze(paystub_mock)
    _fail(paystub_mock, 5)
    paystub_mock.clock.advance(50)
    _fail(paystub_mock, 3)  # refused by the throttle, not counted
    paystub_mock.clock.advance(10)
    assert login(paystub_mock.client).status_code == 200


def test_me_after_login(paystub_mock: MockFixture) -> None:
    token = login(paystub_mock.client, "support@example.com").json["data"]["token"]["access_token"]
    response = paystub_mock.client.get("/admin/auth/me", headers=bearer(token))
    assert response.status_code == 200
    assert list(json_of(response)) == ["success", "data"]
    user = json_of(response)["data"]["user"]
    assert user["email"] == "support@example.com"
    assert user["role"]["name"] == "Support"
    assert user["meta"]["permissions"] == user["role"]["permissions"]


@pytest.mark.authmock(
    fixtures={
        "flavour": "paystub",
        "sites": [{"id": 1, "identifier": "x", "name": "X", "logo": "https://cdn.test/a.png"}],
        "roles": [{"id": 1, "name": "Owner"}],
        "users": [
            {
                "id": 1,
                "site_id": 1,
                "role_id": 1,
                "first_name": "Zoë",
                "last_name": "B",
                "email": "z@example.com",
                "password": PASSWORD,
            }
        ],
    }
)
def test_bodies_are_encoded_like_laravels_response_json(paystub_mock: MockFixture) -> None:
    response = login(paystub_mock.client, "z@example.com")
    raw = response.get_data()
    assert b'"first_name":"Zo\\u00eb"' in raw  # json_encode escapes non-ASCII
    assert b'"logo":"https:\\/\\/cdn.test\\/a.png"' in raw  # ... and slashes
    assert response.json["data"]["user"]["site"]["logo"] == "https://cdn.test/a.png"
