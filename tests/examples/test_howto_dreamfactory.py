"""How to: walk through DreamFactory's authentication page against authmock.

Every curl example of the DreamFactory docs page "Authentication" works against the
``dreamfactory`` flavour with the bundled fixtures. Here they run with ``requests`` against a
live server (``dreamfactory_mock.url``); swap in your own base URL and they are the same calls.

Bundled identities: admin app key below, ``admin@example.com`` / ``yourpassword`` (sys admin),
``user@example.com`` / ``yourpassword`` (user, role ``user`` through the ``frontend`` app).
"""

from __future__ import annotations

import json
import shlex

import requests

from authmock.pytest_plugin import MockFixture

ADMIN_APP_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"
FRONTEND_APP_KEY = "fd163cde17b13893ac36debe5a0a694313592f4032638457f65dfb04df4f7f89"
CREDENTIALS = {"email": "admin@example.com", "password": "yourpassword"}


def test_admin_login_then_use_check_and_logout(dreamfactory_mock: MockFixture) -> None:
    base = dreamfactory_mock.url

    # curl -X POST $BASE/api/v2/system/admin/session -H "Content-Type: application/json"
    #      -H "X-DreamFactory-API-Key: $ADMIN_APP_KEY" -d '{"email":...,"password":...}'
    login = requests.post(f"{base}/api/v2/system/admin/session", json=CREDENTIALS,
                          headers={"X-DreamFactory-API-Key": ADMIN_APP_KEY}, timeout=5)
    assert login.status_code == 200
    session = login.json()
    assert session["is_sys_admin"] is True and session["name"] == "Admin User"
    token = session["session_token"]
    both = {"X-DreamFactory-API-Key": ADMIN_APP_KEY, "X-DreamFactory-Session-Token": token}

    # "Via API (once you have a session)": the admin app's key from /system/app
    apps = requests.get(f"{base}/api/v2/system/app", headers=both, timeout=5).json()
    admin_app = next(app for app in apps["resource"] if app["name"] == "admin")
    assert admin_app["api_key"] == ADMIN_APP_KEY

    # "Using the Session Token": list the services
    services = requests.get(f"{base}/api/v2/system/service", headers=both, timeout=5).json()
    assert [s["name"] for s in services["resource"]][:2] == ["system", "api_docs"]

    # "Refresh / Check Current Session": the docs say GET refreshes, and in the default
    # `docs` profile it does (new token, the old one stops working)
    check = requests.get(f"{base}/api/v2/system/admin/session", headers=both, timeout=5)
    assert check.status_code == 200
    token = check.json()["session_token"]
    both["X-DreamFactory-Session-Token"] = token

    # "Logout"
    logout = requests.delete(f"{base}/api/v2/system/admin/session", headers=both, timeout=5)
    assert logout.json() == {"success": True}

    # a logged-out token is refused with 403 (not the docs' "401 Unauthorized")
    after = requests.get(f"{base}/api/v2/system/service", headers=both, timeout=5)
    assert after.status_code == 403
    assert after.json()["error"]["message"] == (
        "The token has been blacklisted: Session terminated. Please re-login."
    )


def test_regular_user_login_and_data(dreamfactory_mock: MockFixture) -> None:
    base = dreamfactory_mock.url
    login = requests.post(
        f"{base}/api/v2/user/session",
        json={"email": "user@example.com", "password": "yourpassword"},
        headers={"X-DreamFactory-API-Key": FRONTEND_APP_KEY}, timeout=5)
    assert login.json()["role"] == "user"
    both = {"X-DreamFactory-API-Key": FRONTEND_APP_KEY,
            "X-DreamFactory-Session-Token": login.json()["session_token"]}
    contacts = requests.get(f"{base}/api/v2/db/_table/contacts", headers=both, timeout=5)
    assert len(contacts.json()["resource"]) == 3


def test_the_common_errors_table(dreamfactory_mock: MockFixture) -> None:
    base = dreamfactory_mock.url
    key = {"X-DreamFactory-API-Key": ADMIN_APP_KEY}

    def message(response: requests.Response) -> str:
        text: str = response.json()["error"]["message"]
        return text

    # wrong endpoint for an admin: user/session -> "missing required email"
    wrong = requests.post(f"{base}/api/v2/user/session", json=CREDENTIALS, headers=key, timeout=5)
    assert (wrong.status_code, message(wrong)) == (400, "Login request is missing required email.")

    # missing Content-Type (curl -d without -H) -> the same message
    raw = requests.post(f"{base}/api/v2/system/admin/session",
                        data='{"email":"admin@example.com","password":"yourpassword"}',
                        headers={**key, "Content-Type": "application/x-www-form-urlencoded"},
                        timeout=5)
    assert message(raw) == "Login request is missing required email."

    # /api/v2/admin/session -> "No session token (JWT) provided"
    jwt = requests.post(f"{base}/api/v2/admin/session", json=CREDENTIALS, headers=key, timeout=5)
    assert message(jwt).startswith("No session token (JWT) provided.")

    # no API key header -> "No session token (JWT) or API Key detected"
    nokey = requests.post(f"{base}/api/v2/system/admin/session", json=CREDENTIALS, timeout=5)
    assert message(nokey).startswith("No session token (JWT) or API Key detected in request.")

    # wrong password -> "Invalid credentials supplied"
    bad = requests.post(f"{base}/api/v2/system/admin/session",
                        json={**CREDENTIALS, "password": "nope"}, headers=key, timeout=5)
    assert (bad.status_code, message(bad)) == (401, "Invalid credentials supplied.")

    # expired token -> 401 (move the fake's clock instead of waiting 24 hours)
    token = requests.post(f"{base}/api/v2/system/admin/session", json=CREDENTIALS, headers=key,
                          timeout=5).json()["session_token"]
    dreamfactory_mock.clock.advance("24h")
    dreamfactory_mock.clock.advance(1)
    expired = requests.get(f"{base}/api/v2/system/service",
                           headers={**key, "X-DreamFactory-Session-Token": token}, timeout=5)
    assert expired.status_code == 401
    assert message(expired).startswith("Token has expired: Session expired.")


# --- the page's curl commands, verbatim but for the placeholders -----------------------------
# Each command is the page's text with its placeholders swapped for the bundled fixture's
# values. `curl()` below runs one with curl's own rules (`-d` without `-X` means POST, `-d`
# without a Content-Type header sends `application/x-www-form-urlencoded`) over `requests`, so
# the example needs no curl binary.
ADMIN_LOGIN_CURL = """curl -s -X POST http://your-df-host/api/v2/system/admin/session \\
  -H "Content-Type: application/json" \\
  -H "X-DreamFactory-API-Key: YOUR_ADMIN_APP_API_KEY" \\
  -d '{"email":"admin@example.com","password":"yourpassword"}'"""
USER_LOGIN_CURL = """curl -s -X POST http://your-df-host/api/v2/user/session \\
  -H "Content-Type: application/json" \\
  -H "X-DreamFactory-API-Key: YOUR_APP_API_KEY" \\
  -d '{"email":"user@example.com","password":"yourpassword"}'"""
APP_KEY_CURL = """curl -s http://your-df-host/api/v2/system/app \\
  -H "X-DreamFactory-API-Key: YOUR_KEY" \\
  -H "X-DreamFactory-Session-Token: YOUR_TOKEN\""""
SERVICES_CURL = """curl -s http://your-df-host/api/v2/system/service \\
  -H "X-DreamFactory-API-Key: YOUR_ADMIN_APP_API_KEY" \\
  -H "X-DreamFactory-Session-Token: YOUR_SESSION_TOKEN\""""
CHECK_CURL = """curl -s -X GET http://your-df-host/api/v2/system/admin/session \\
  -H "X-DreamFactory-API-Key: YOUR_API_KEY" \\
  -H "X-DreamFactory-Session-Token: YOUR_SESSION_TOKEN\""""
LOGOUT_CURL = """curl -s -X DELETE http://your-df-host/api/v2/system/admin/session \\
  -H "X-DreamFactory-API-Key: YOUR_API_KEY" \\
  -H "X-DreamFactory-Session-Token: YOUR_SESSION_TOKEN\""""


def curl(command: str, base: str, **placeholders: str) -> requests.Response:
    """Run one of the page's curl commands (only the options it uses: -s, -X, -H, -d)."""
    for name, value in placeholders.items():
        command = command.replace(name, value)
    args = shlex.split(command.replace("\\\n", " ").replace("http://your-df-host", base))
    assert args[0] == "curl"
    method, url, data = None, "", None
    headers: dict[str, str] = {}
    rest = iter(args[1:])
    for arg in rest:
        if arg == "-s":
            continue
        if arg == "-X":
            method = next(rest)
        elif arg == "-H":
            name, _, value = next(rest).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-d":
            data = next(rest)
        else:
            assert not arg.startswith("-"), f"option {arg} is not used by the page"
            url = arg
    if data is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    verb = method or ("POST" if data is not None else "GET")
    return requests.request(verb, url, data=data, headers=headers, timeout=5)


def test_every_curl_command_of_the_page(dreamfactory_mock: MockFixture) -> None:
    base = dreamfactory_mock.url
    login = curl(ADMIN_LOGIN_CURL, base, YOUR_ADMIN_APP_API_KEY=ADMIN_APP_KEY)
    assert login.status_code == 200
    session = login.json()
    assert list(session)[:3] == ["session_token", "session_id", "id"]
    assert session["session_token"].startswith("eyJ0eXAiOiJKV1Qi")
    token = session["session_token"]

    user = curl(USER_LOGIN_CURL, base, YOUR_APP_API_KEY=FRONTEND_APP_KEY)
    assert (user.status_code, user.json()["is_sys_admin"]) == (200, False)

    # "| python3 -m json.tool": the listing is JSON with the admin app's key in it
    apps = json.loads(curl(APP_KEY_CURL, base, YOUR_KEY=ADMIN_APP_KEY, YOUR_TOKEN=token).text)
    assert {app["name"]: app["api_key"] for app in apps["resource"]}["admin"] == ADMIN_APP_KEY

    services = curl(SERVICES_CURL, base, YOUR_ADMIN_APP_API_KEY=ADMIN_APP_KEY,
                    YOUR_SESSION_TOKEN=token)
    assert services.status_code == 200 and "resource" in services.json()

    check = curl(CHECK_CURL, base, YOUR_API_KEY=ADMIN_APP_KEY, YOUR_SESSION_TOKEN=token)
    assert check.status_code == 200 and check.json()["email"] == "admin@example.com"
    token = check.json()["session_token"]  # the docs profile: GET hands back a new token

    logout = curl(LOGOUT_CURL, base, YOUR_API_KEY=ADMIN_APP_KEY, YOUR_SESSION_TOKEN=token)
    assert (logout.status_code, logout.text) == (200, '{"success":true}')


def test_the_curl_login_without_its_content_type_header(dreamfactory_mock: MockFixture) -> None:
    # the page's "missing Content-Type" row: curl -d then sends a form Content-Type
    command = ADMIN_LOGIN_CURL.replace('  -H "Content-Type: application/json" \\\n', "")
    response = curl(command, dreamfactory_mock.url, YOUR_ADMIN_APP_API_KEY=ADMIN_APP_KEY)
    assert response.json()["error"]["message"] == "Login request is missing required email."
