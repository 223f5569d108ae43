"""TFA set-up (/users/me/tfa/*) with every refusal of Directus 11's controller and TFAService."""

from __future__ import annotations

import re
from typing import Any

import pytest

import authmock
from authmock.otp import code_at

from .helpers import (
    ADMIN,
    ADMIN_ID,
    HELLO,
    STATIC_TOKEN,
    TFA,
    bearer,
    bundled,
    error,
    login,
    tokens,
)

ADMIN_H = bearer(STATIC_TOKEN)


@pytest.fixture(autouse=True)
def _frozen(directus_mock: Any) -> None:
    """No 30 s TOTP step may pass between computing a code and sending it."""
    directus_mock.clock.freeze()


def _payload(reason: str) -> tuple[int, str, str, dict[str, str]]:
    return 400, f"Invalid payload. {reason}.", "INVALID_PAYLOAD", {"reason": reason}


def _generate(client: Any, headers: dict[str, str] = ADMIN_H) -> str:
    response = client.post("/users/me/tfa/generate", headers=headers, json={"password": "password"})
    assert response.status_code == 200, response.get_data(as_text=True)
    secret: str = response.get_json()["data"]["secret"]
    return secret


def test_generate_enable_login_disable(directus_mock: Any) -> None:
    client = directus_mock.client
    response = client.post("/users/me/tfa/generate", headers=ADMIN_H, json={"password": "password"})
    data = response.get_json()["data"]
    assert list(data) == ["secret", "otpauth_url"]
    assert re.fullmatch(r"[A-Z2-7]{16}", data["secret"])  # otplib: 10 bytes, 80 bits
    assert data["otpauth_url"] == (
        f"otpauth://totp/Directus:admin%40example.com?secret={data['secret']}"
        "&period=30&digits=6&algorithm=SHA1&issuer=Directus")
    assert login(client, ADMIN).status_code == 200  # generate alone stores nothing
    code = code_at(data["secret"], directus_mock.clock.time())
    enabled = client.post(
        "/users/me/tfa/enable", headers=ADMIN_H, json={"secret": data["secret"], "otp": code}
    )
    assert enabled.status_code == 204
    assert error(login(client, ADMIN))[:3] == (401, "Invalid user OTP.", "INVALID_OTP")
    assert directus_mock.otp(ADMIN) == code
    served = client.get(f"/__authmock__/users/{ADMIN}/otp").get_json()["otp"]
    assert login(client, ADMIN, otp=served).status_code == 200
    assert client.get("/users/me?fields=tfa_secret", headers=ADMIN_H).get_json() == {
        "data": {"tfa_secret": "**********"}}
    wrong = "000000" if directus_mock.otp(ADMIN) != "000000" else "111111"
    assert error(
        client.post("/users/me/tfa/disable", headers=ADMIN_H, json={"otp": wrong})
    ) == _payload('"otp" is invalid')
    disabled = client.post(
        "/users/me/tfa/disable", headers=ADMIN_H, json={"otp": directus_mock.otp(ADMIN)}
    )
    assert disabled.status_code == 204
    assert login(client, ADMIN).status_code == 200


def test_a_code_from_the_previous_step_is_refused(directus_mock: Any) -> None:
    client = directus_mock.client
    directus_mock.clock.set("2030-01-01T00:00:10Z")
    secret = _generate(client)
    old = code_at(secret, directus_mock.clock.time())
    directus_mock.clock.advance("30s")
    assert old != code_at(secret, directus_mock.clock.time())
    response = client.post(
        "/users/me/tfa/enable", headers=ADMIN_H, json={"secret": secret, "otp": old}
    )
    assert error(response) == _payload('"otp" is invalid')


def test_refusals(directus_mock: Any) -> None:
    client = directus_mock.client
    assert error(client.post("/users/me/tfa/generate", json={"password": "password"}))[:3] == (
        401, "Invalid user credentials.", "INVALID_CREDENTIALS")
    assert error(client.post("/users/me/tfa/generate", headers=ADMIN_H, json={})) == _payload(
        '"password" is required'
    )
    assert error(
        client.post("/users/me/tfa/generate", headers=ADMIN_H, json={"password": "wrong"})
    )[:3] == (401, "Invalid user credentials.", "INVALID_CREDENTIALS")
    assert error(
        client.post("/users/me/tfa/enable", headers=ADMIN_H, json={"otp": "1"})
    ) == _payload('"secret" is required')
    assert error(
        client.post("/users/me/tfa/enable", headers=ADMIN_H, json={"secret": "JBSWY3DPEHPK3PXP"})
    ) == (_payload('"otp" is required'))
    assert error(
        client.post(
            "/users/me/tfa/enable",
            headers=ADMIN_H,
            json={"secret": "JBSWY3DPEHPK3PXP", "otp": "12"},
        )
    ) == _payload('"otp" is invalid')
    assert error(
        client.post(
            "/users/me/tfa/enable",
            headers=ADMIN_H,
            json={"secret": "!!not base32!!", "otp": "123456"},
        )
    ) == _payload('"otp" is invalid')
    assert error(client.post("/users/me/tfa/disable", headers=ADMIN_H, json={})) == _payload(
        '"otp" is required'
    )
    assert error(
        client.post("/users/me/tfa/disable", headers=ADMIN_H, json={"otp": "123456"})
    ) == _payload(f'User "{ADMIN_ID}" doesn\'t have TFA enabled')


def test_already_enabled(directus_mock: Any) -> None:
    client = directus_mock.client
    tfa = bearer(_tfa_token(directus_mock))
    assert error(
        client.post("/users/me/tfa/generate", headers=tfa, json={"password": "password"})
    ) == _payload("TFA Secret is already set for this user")
    assert error(
        client.post(
            "/users/me/tfa/enable",
            headers=tfa,
            json={"secret": "JBSWY3DPEHPK3PXP", "otp": directus_mock.otp(TFA)},
        )
    ) == _payload("TFA Secret is already set for this user")


def _tfa_token(directus_mock: Any) -> str:
    response = login(directus_mock.client, TFA, otp=directus_mock.otp(TFA))
    assert response.status_code == 200
    token: str = response.get_json()["data"]["access_token"]
    return token


def test_an_app_user_needs_an_update_permission(directus_mock: Any) -> None:
    client = directus_mock.client
    editor = bearer(tokens(client, HELLO)["access_token"])
    generated = client.post("/users/me/tfa/generate", headers=editor, json={"password": "d1r3ctu5"})
    secret = generated.get_json()["data"]["secret"]
    response = client.post(
        "/users/me/tfa/enable",
        headers=editor,
        json={"secret": secret, "otp": code_at(secret, directus_mock.clock.time())},
    )
    message = (
        'You don\'t have permission to access collection "directus_users" or it does not exist.'
        " Queried in root."
    )
    assert error(response) == (403, message, "FORBIDDEN", {"reason": message})
    assert login(client, HELLO).status_code == 200


def test_with_the_permission_an_app_user_turns_tfa_on() -> None:
    fixture = bundled()
    fixture["roles"][1]["permissions"]["directus_users"] = {"fields": [], "update": ["tfa_secret"]}
    app = authmock.create_app("directus", fixtures=fixture)
    app.mock.clock.freeze()
    client = app.test_client()
    editor = bearer(tokens(client, HELLO)["access_token"])
    secret = client.post(
        "/users/me/tfa/generate", headers=editor, json={"password": "d1r3ctu5"}
    ).get_json()["data"]["secret"]
    enabled = client.post("/users/me/tfa/enable", headers=editor,
                          json={"secret": secret, "otp": code_at(secret, app.mock.clock.time())})
    assert enabled.status_code == 204
    assert error(login(client, HELLO))[2] == "INVALID_OTP"


@pytest.mark.parametrize("body", [{"password": ["password"]}, {"password": 1}])
def test_non_string_passwords_are_wrong_credentials(directus_mock: Any, body: Any) -> None:
    response = directus_mock.client.post("/users/me/tfa/generate", headers=ADMIN_H, json=body)
    assert error(response)[2] == "INVALID_CREDENTIALS"


def test_admin_disables_another_users_tfa(directus_mock: Any) -> None:
    client = directus_mock.client
    tfa_id = "0b4f5a60-0000-4000-8000-000000000003"
    editor = bearer(tokens(client, HELLO)["access_token"])
    assert error(client.post(f"/users/{tfa_id}/tfa/disable", headers=editor))[:3] == (
        403, "You don't have permission to access this.", "FORBIDDEN")
    assert client.post(f"/users/{tfa_id}/tfa/disable", headers=ADMIN_H).status_code == 204
    assert login(client, TFA).status_code == 200
