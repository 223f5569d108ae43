"""How to: test a Directus client against authmock instead of a real Directus.

The ``directus_mock`` fixture (from authmock's pytest plugin) is a Directus 11 fake with the
bundled identities, reset before every test. ``directus_mock.url`` is a live server your client
can call; ``directus_mock.clock``, ``.mailbox`` and the control API under ``/__authmock__``
let a test do what is slow or impossible against a real server: jump 15 minutes ahead, read the
password-reset e-mail, get the current TOTP code.

Bundled users: ``admin@example.com`` / ``password`` (Administrator, static token
``admin-static-token``), ``hello@example.com`` / ``d1r3ctu5`` (Editor), ``tfa@example.com`` /
``password`` (Editor with two-factor auth), ``suspended@example.com`` (suspended),
``user@example.com`` / ``password``, ``user@company.com`` / ``password`` (LDAP).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from authmock.pytest_plugin import MockFixture


def test_login_then_watch_the_access_token_expire(directus_mock: MockFixture) -> None:
    base = directus_mock.url
    directus_mock.clock.freeze()  # time stands still until the test moves it

    # POST /auth/login answers {"data": {"expires", "refresh_token", "access_token"}}
    login = requests.post(f"{base}/auth/login",
                          json={"email": "hello@example.com", "password": "d1r3ctu5"}, timeout=5)
    tokens = login.json()["data"]
    assert tokens["expires"] == 900_000  # 15 minutes, in milliseconds
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = requests.get(f"{base}/users/me?fields=email", headers=headers, timeout=5)
    assert me.json() == {"data": {"email": "hello@example.com"}}

    # One second before expiry the token still works; at 15 minutes it has expired.
    directus_mock.clock.advance(899)  # seconds (or "15m", "7d", ...)
    assert requests.get(f"{base}/users/me", headers=headers, timeout=5).status_code == 200
    directus_mock.clock.advance(1)
    expired = requests.get(f"{base}/users/me", headers=headers, timeout=5)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"

    # The refresh token (7 days) gets a new pair; the old refresh token dies at once.
    fresh = requests.post(f"{base}/auth/refresh",
                          json={"refresh_token": tokens["refresh_token"]}, timeout=5).json()["data"]
    assert fresh["refresh_token"] != tokens["refresh_token"]
    reused = requests.post(f"{base}/auth/refresh",
                           json={"refresh_token": tokens["refresh_token"]}, timeout=5)
    assert reused.json()["errors"][0]["message"] == "Invalid user credentials."


def test_reset_a_password_with_the_link_from_the_mailbox(directus_mock: MockFixture) -> None:
    base = directus_mock.url

    # Your app asks for a reset e-mail that links back to it (the URL must be allow-listed;
    # the bundled fixture allows http://localhost:3000/reset-password).
    requested = requests.post(f"{base}/auth/password/request", json={
        "email": "hello@example.com", "reset_url": "http://localhost:3000/reset-password",
    }, timeout=5)
    assert requested.status_code == 204

    # authmock "sends" the mail to its mailbox: read it over HTTP or with directus_mock.mailbox
    mail = requests.get(f"{base}/__authmock__/mailbox?to=hello@example.com", timeout=5).json()
    link = mail["messages"][-1]["links"][0]
    assert link.startswith("http://localhost:3000/reset-password?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]

    # Your reset page posts the token with the new password.
    reset = requests.post(f"{base}/auth/password/reset",
                          json={"token": token, "password": "n3w-s3cret"}, timeout=5)
    assert reset.status_code == 204
    login = requests.post(f"{base}/auth/login",
                          json={"email": "hello@example.com", "password": "n3w-s3cret"}, timeout=5)
    assert login.status_code == 200
    # The link works once.
    again = requests.post(f"{base}/auth/password/reset",
                          json={"token": token, "password": "other"}, timeout=5)
    assert again.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_two_factor_login_with_the_code_from_the_control_api(directus_mock: MockFixture) -> None:
    base = directus_mock.url
    credentials = {"email": "tfa@example.com", "password": "password"}

    # Without a code Directus refuses with INVALID_OTP.
    refused = requests.post(f"{base}/auth/login", json=credentials, timeout=5)
    assert refused.json()["errors"][0] == {"message": "Invalid user OTP.",
                                           "extensions": {"code": "INVALID_OTP"}}

    # The control API computes what the user's authenticator app shows right now
    # (on the mock clock): {"otp": "123456", "valid_for_seconds": 17, "next": "654321"}.
    code = requests.get(f"{base}/__authmock__/users/tfa@example.com/otp", timeout=5).json()["otp"]
    login = requests.post(f"{base}/auth/login", json={**credentials, "otp": code}, timeout=5)
    assert login.status_code == 200


def test_public_data_and_the_static_token(directus_mock: MockFixture) -> None:
    base = directus_mock.url
    # Anonymous requests get the Public role: published articles only.
    public = requests.get(f"{base}/items/articles", timeout=5).json()["data"]
    assert [a["status"] for a in public] == ["published", "published"]
    # The admin's static token never expires and sees the draft too.
    admin = requests.get(f"{base}/items/articles",
                         headers={"Authorization": "Bearer admin-static-token"}, timeout=5)
    assert [a["id"] for a in admin.json()["data"]] == [1, 2, 3]


def test_sign_up_verify_from_the_mailbox_and_log_in(directus_mock: MockFixture) -> None:
    base = directus_mock.url
    admin = {"Authorization": "Bearer admin-static-token"}
    # Directus keeps registration off until an admin switches it on in directus_settings
    # (or the fixture sets "public_registration": true).
    requests.patch(f"{base}/settings", json={"public_registration": True}, headers=admin, timeout=5)
    newcomer = {"email": "newcomer@example.com", "password": "pick-a-password"}
    signup = requests.post(f"{base}/users/register", json=newcomer, timeout=5)
    assert signup.status_code == 204  # also for an address that exists: no user enumeration

    # The verification mail is in the mailbox; its link calls the API, which redirects.
    mail = directus_mock.mailbox.last("newcomer@example.com")
    assert mail is not None
    verified = requests.get(f"{base}/users/register/verify-email", params={"token": mail.token},
                            allow_redirects=False, timeout=5)
    assert verified.status_code == 302
    login = requests.post(f"{base}/auth/login", json=newcomer, timeout=5)
    assert login.status_code == 200


def test_turn_on_two_factor_for_a_user(directus_mock: MockFixture) -> None:
    from authmock.otp import code_at

    client = directus_mock.client
    directus_mock.clock.freeze()  # no 30 s step passes between computing and sending the code
    admin = {"Authorization": "Bearer admin-static-token"}
    generated = client.post("/users/me/tfa/generate", json={"password": "password"}, headers=admin)
    setup = generated.get_json()["data"]
    # setup["otpauth_url"] is what the QR code shows; the authenticator's code for its secret:
    code = code_at(setup["secret"], directus_mock.clock.time())
    client.post("/users/me/tfa/enable", json={"secret": setup["secret"], "otp": code},
                headers=admin)
    # From now on the login needs the code, which directus_mock.otp() computes for you.
    login = client.post("/auth/login", json={"email": "admin@example.com", "password": "password",
                                            "otp": directus_mock.otp("admin@example.com")})
    assert login.status_code == 200
