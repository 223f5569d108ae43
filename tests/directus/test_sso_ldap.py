"""GET /auth, SSO through the built-in identity provider, LDAP, and the profile table."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .helpers import (
    ADMIN,
    ADMIN_ID,
    LDAP_USER,
    SUSPENDED,
    T0,
    ErrorTuple,
    bearer,
    claims,
    error,
    login,
    with_settings,
)

CREDENTIALS: ErrorTuple = (401, "Invalid user credentials.", "INVALID_CREDENTIALS", {})


def test_provider_list_in_fixture_order(directus_mock: Any) -> None:
    response = directus_mock.client.get("/auth")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == (
        '{"data":[{"name":"openid","driver":"openid"},{"name":"google","driver":"oauth2"},'
        '{"name":"ldap","driver":"ldap"},{"name":"saml","driver":"saml"}],"disableDefault":false}'
    )


@pytest.mark.authmock(fixtures={**with_settings(), "providers": [
    {"name": "github", "driver": "oauth2", "label": "GitHub", "icon": "github", "mode": "cookie"},
    {"name": "okta", "driver": "openid", "mode": "session"},
    {"name": "ldap", "driver": "ldap"},
]})
def test_provider_labels_icons_and_session_only(directus_mock: Any) -> None:
    client = directus_mock.client
    assert client.get("/auth").get_json()["data"] == [
        {"name": "github", "label": "GitHub", "driver": "oauth2", "icon": "github"},
        {"name": "okta", "driver": "openid"},
        {"name": "ldap", "driver": "ldap"},
    ]
    assert client.get("/auth?sessionOnly").get_json()["data"] == [
        {"name": "okta", "driver": "openid"}, {"name": "ldap", "driver": "ldap"},
    ]


def _start(client: Any, provider: str, query: str = "") -> Any:
    return client.get(f"/auth/login/{provider}{query}")


def _sign_in(client: Any, start: Any, user_id: str) -> Any:
    """Follow the 302 to the fake IdP page and press "Sign in as"."""
    location = urlsplit(start.headers["Location"])
    page = client.get(location.path + "?" + location.query)
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    assert "Sign in as admin@example.com" in page.get_data(as_text=True)
    form = {k: v[0] for k, v in parse_qs(location.query).items()}
    return client.post(location.path + "/signin", data={**form, "user": user_id})


def test_oauth2_login_with_redirect_sets_the_session_cookie(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    start = _start(client, "google", "?redirect=/admin/content")
    assert start.status_code == 302
    location = urlsplit(start.headers["Location"])
    assert location.path == "/__authmock__/directus/idp/google"
    query = parse_qs(location.query)
    assert query["redirect_uri"] == ["http://localhost/auth/login/google/callback"]
    [state_cookie] = start.headers.getlist("Set-Cookie")
    assert re.match(r"^oauth2\.google=[\w.-]+; Path=/; HttpOnly; SameSite=Lax$", state_cookie)
    idp = _sign_in(client, start, ADMIN_ID)
    assert idp.status_code == 302
    callback = urlsplit(idp.headers["Location"])
    assert callback.path == "/auth/login/google/callback"
    done = client.get(callback.path + "?" + callback.query)
    assert done.status_code == 302
    assert done.headers["Location"] == "/admin/content"
    cookies = done.headers.getlist("Set-Cookie")
    assert cookies[0] == "oauth2.google=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    assert cookies[1].startswith("directus_session_token=")
    assert cookies[1].endswith(
        "; Max-Age=86400; Path=/; Expires=Mon, 23 Nov 2026 08:00:00 GMT; HttpOnly; SameSite=Lax"
    )
    assert client.get("/users/me?fields=email").get_json() == {"data": {"email": ADMIN}}
    # the code is single use
    again = client.get(callback.path + "?" + callback.query)
    assert error(again) == CREDENTIALS


def test_openid_without_redirect_answers_json(directus_mock: Any) -> None:
    client = directus_mock.client
    start = _start(client, "openid")
    assert start.headers.getlist("Set-Cookie")[0].startswith("openid.openid=")
    callback = urlsplit(_sign_in(client, start, ADMIN_ID).headers["Location"])
    done = client.get(callback.path + "?" + callback.query)
    data = done.get_json()["data"]
    assert list(data) == ["access_token", "refresh_token", "expires"]
    assert claims(data["access_token"])["id"] == ADMIN_ID


def test_sso_failure_redirects_with_a_reason(directus_mock: Any) -> None:
    client = directus_mock.client
    suspended_id = directus_mock.store["directus_users"].find(lambda u: u["email"] == SUSPENDED)[
        "id"
    ]
    start = _start(client, "google", "?redirect=/admin/content?tab=1")
    callback = urlsplit(_sign_in(client, start, suspended_id).headers["Location"])
    done = client.get(callback.path + "?" + callback.query)
    assert done.status_code == 302
    assert done.headers["Location"] == "/admin/content?reason=INVALID_CREDENTIALS"


def test_sso_cancel_and_missing_state_cookie(directus_mock: Any) -> None:
    client = directus_mock.client
    start = _start(client, "google", "?redirect=/done")
    cancel = urlsplit(_sign_in(client, start, "").headers["Location"])
    assert "error=access_denied" in cancel.query
    assert (
        client.get(cancel.path + "?" + cancel.query).headers["Location"]
        == "/done?reason=INVALID_CREDENTIALS"
    )
    client.delete_cookie("oauth2.google")
    assert error(client.get("/auth/login/google/callback?code=x")) == CREDENTIALS


@pytest.mark.parametrize("redirect", ["https://malicious.com/steal", "//malicious.com/steal",
                                      "javascript:alert(1)", "https://localhost.evil.com/"])
def test_sso_redirect_allow_list(directus_mock: Any, redirect: str) -> None:
    response = directus_mock.client.get("/auth/login/google", query_string={"redirect": redirect})
    reason = f'URL "{redirect}" can\'t be used to redirect after login'
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )
    assert response.headers.getlist("Set-Cookie") == []


@pytest.mark.parametrize("redirect", ["/admin/content", "http://localhost/admin", "admin"])
def test_sso_allowed_redirects(directus_mock: Any, redirect: str) -> None:
    response = directus_mock.client.get("/auth/login/openid", query_string={"redirect": redirect})
    assert response.status_code == 302


@pytest.mark.authmock(
    fixtures={
        **with_settings(),
        "providers": [
            {
                "name": "google",
                "driver": "oauth2",
                "redirect_allow_list": ["https://app.example.com/done"],
                "mode": "cookie",
            },
            {"name": "ldap", "driver": "ldap"},
        ],
    }
)
def test_provider_allow_list_and_cookie_mode(directus_mock: Any) -> None:
    client = directus_mock.client
    start = _start(client, "google", "?redirect=https://app.example.com/done")
    assert start.status_code == 302
    callback = urlsplit(_sign_in(client, start, ADMIN_ID).headers["Location"])
    done = client.get(callback.path + "?" + callback.query)
    assert done.headers["Location"] == "https://app.example.com/done"
    assert done.headers.getlist("Set-Cookie")[1].startswith("directus_refresh_token=")
    assert client.post("/auth/refresh", json={"mode": "cookie"}).status_code == 200


def test_saml_flow_posts_to_the_acs(directus_mock: Any) -> None:
    client = directus_mock.client
    start = _start(client, "saml", "?redirect=/admin")
    assert start.status_code == 302 and "RelayState=%2Fadmin" in start.headers["Location"]
    page = _sign_in(client, start, ADMIN_ID)
    html = page.get_data(as_text=True)
    assert 'action="http://localhost/auth/login/saml/acs"' in html
    code = re.search(r'name="SAMLResponse" value="([^"]+)"', html)
    assert code is not None
    done = client.post(
        "/auth/login/saml/acs", data={"SAMLResponse": code.group(1), "RelayState": "/admin"}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/admin"
    assert client.get("/users/me?fields=id").get_json() == {"data": {"id": ADMIN_ID}}


def test_unknown_provider_and_wrong_driver_routes(directus_mock: Any) -> None:
    client = directus_mock.client
    assert error(client.get("/auth/login/github")) == (
        404,
        "Route /auth/login/github doesn't exist.",
        "ROUTE_NOT_FOUND",
        {"path": "/auth/login/github"},
    )
    assert error(client.get("/auth/login/ldap"))[2] == "ROUTE_NOT_FOUND"
    assert error(client.post("/auth/login/google", json={}))[2] == "ROUTE_NOT_FOUND"
    assert error(client.get("/auth/oauth/google"))[2] == "ROUTE_NOT_FOUND"


def test_ldap_login_with_identifier(directus_mock: Any) -> None:
    client = directus_mock.client
    response = client.post(
        "/auth/login/ldap", json={"identifier": LDAP_USER, "password": "password"}
    )
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert list(data) == ["access_token", "expires", "refresh_token"]
    bad = client.post("/auth/login/ldap", json={"identifier": LDAP_USER, "password": "nope"})
    assert error(bad) == CREDENTIALS
    # default-provider users cannot use the ldap provider
    assert (
        error(client.post("/auth/login/ldap", json={"identifier": ADMIN, "password": "password"}))
        == CREDENTIALS
    )
    missing = client.post("/auth/login/ldap", json={"email": LDAP_USER, "password": "password"})
    assert error(missing)[3] == {"reason": '"identifier" is required'}
    cookie = client.post(
        "/auth/login/ldap", json={"identifier": LDAP_USER, "password": "password", "mode": "cookie"}
    )
    assert list(cookie.get_json()["data"]) == ["access_token", "expires"]
    assert cookie.headers.getlist("Set-Cookie")[0].startswith("directus_refresh_token=")
    # ldap.ts keeps the access token in the body in session mode too
    session = client.post(
        "/auth/login/ldap",
        json={"identifier": LDAP_USER, "password": "password", "mode": "session"},
    )
    assert list(session.get_json()["data"]) == ["access_token", "expires"]
    assert session.get_json()["data"]["expires"] == 86400000
    assert session.headers.getlist("Set-Cookie")[0].startswith("directus_session_token=")


SEED_LDAP = {"email": LDAP_USER, "password": "password", "mode": "ldap"}


def test_docs_profile_accepts_the_seed_ldap_login(directus_mock: Any) -> None:
    response = directus_mock.client.post("/auth/login", json=SEED_LDAP)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert list(data) == ["access_token", "expires", "refresh_token"]
    assert directus_mock.client.get(
        "/users/me?fields=email", headers=bearer(data["access_token"])
    ).get_json() == {"data": {"email": LDAP_USER}}
    # only for users of the ldap provider
    assert (
        error(directus_mock.client.post("/auth/login", json={**SEED_LDAP, "email": ADMIN}))
        == CREDENTIALS
    )


@pytest.mark.authmock(profile="server")
def test_server_profile_refuses_mode_ldap(directus_mock: Any) -> None:
    response = directus_mock.client.post("/auth/login", json=SEED_LDAP)
    reason = '"mode" must be one of [cookie, json, session]'
    assert error(response) == (
        400,
        f"Invalid payload. {reason}.",
        "INVALID_PAYLOAD",
        {"reason": reason},
    )
    assert directus_mock.client.get("/__authmock__/health").get_json()["profile"] == "server"
    # everything else is the same in both profiles
    assert login(directus_mock.client, ADMIN).status_code == 200


@pytest.mark.authmock(fixtures=with_settings(AUTH_DISABLE_DEFAULT=True))
def test_disable_default_removes_the_local_login(directus_mock: Any) -> None:
    assert error(login(directus_mock.client, ADMIN))[2] == "ROUTE_NOT_FOUND"
    assert directus_mock.client.get("/auth").get_json()["disableDefault"] is True


def test_sso_state_cookie_lives_five_minutes(directus_mock: Any) -> None:
    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    start = _start(client, "google")
    state = claims(start.headers.getlist("Set-Cookie")[0].split(";")[0].split("=", 1)[1])
    assert state["callbackUrl"] == "http://localhost/auth/login/google/callback"
    assert list(state) == ["verifier", "prompt", "callbackUrl", "iat", "exp", "iss"]
    assert state["exp"] - state["iat"] == 300
    callback = urlsplit(_sign_in(client, start, ADMIN_ID).headers["Location"])
    directus_mock.clock.advance(300)
    assert error(client.get(callback.path + "?" + callback.query)) == CREDENTIALS


def test_sso_form_post_callback_is_a_303_to_the_get(directus_mock: Any) -> None:
    response = directus_mock.client.post(
        "/auth/login/google/callback", data={"code": "abc", "state": "s"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "./callback?code=abc&state=s"
    assert (
        response.get_data(as_text=True) == "See Other. Redirecting to ./callback?code=abc&state=s"
    )
    # URLSearchParams keeps "*", escapes "~", and a repeated field is one comma-joined array
    odd = directus_mock.client.post(
        "/auth/login/google/callback",
        data="code=a+b*~&state=x&state=y",
        content_type="application/x-www-form-urlencoded",
    )
    assert odd.headers["Location"] == "./callback?code=a+b*%7E&state=x%2Cy"


@pytest.mark.parametrize(
    ("redirect", "location"),
    [
        ("/admin/a b", "/admin/a%20b"),
        ("/a|b^c[d]{e}", "/a|b^c[d]%7Be%7D"),  # encodeurl keeps | ^ [ ]
        ("/%zz%41", "/%25zz%41"),  # a stray % is escaped, a valid escape kept
        ("/caf\u00e9", "/caf%C3%A9"),
        ("/a\r\nSet-Cookie: evil=1", "/a%0D%0ASet-Cookie:%20evil=1"),  # no header injection, no 500
    ],
)
def test_sso_redirect_goes_through_express_encodeurl(
    directus_mock: Any, redirect: str, location: str
) -> None:
    from urllib.parse import quote

    client = directus_mock.client
    start = _start(client, "google", "?redirect=" + quote(redirect, safe=""))
    callback = urlsplit(_sign_in(client, start, ADMIN_ID).headers["Location"])
    done = client.get(callback.path + "?" + callback.query)
    assert (done.status_code, done.headers["Location"]) == (302, location)
    assert done.get_data(as_text=True) == f"Found. Redirecting to {location}"
    assert [c.split("=", 1)[0] for c in done.headers.getlist("Set-Cookie")] == [
        "oauth2.google", "directus_session_token"]


def test_live_server_sends_the_encoded_location_unchanged(directus_mock: Any) -> None:
    import requests

    session = requests.Session()
    start = session.get(f"{directus_mock.url}/auth/login/google?redirect=%2Fa%7Cb%5Ec%5Bd%5D",
                        allow_redirects=False, timeout=10)
    idp = urlsplit(start.headers["Location"])
    form = {k: v[0] for k, v in parse_qs(idp.query).items()}
    signed = session.post(f"{directus_mock.url}{idp.path}/signin", data={**form, "user": ADMIN_ID},
                          allow_redirects=False, timeout=10)
    done = session.get(signed.headers["Location"], allow_redirects=False, timeout=10)
    assert done.headers["Location"] == "/a|b^c[d]"  # Werkzeug alone would send /a%7Cb%5Ec%5Bd%5D


def test_sso_passes_the_otp_of_the_login_url_to_a_tfa_user(directus_mock: Any) -> None:
    from authmock.otp import code_at

    directus_mock.clock.set(T0)
    directus_mock.clock.freeze()
    client = directus_mock.client
    tfa_id = "0b4f5a60-0000-4000-8000-000000000003"
    # without ?otp= the TFA user is refused with INVALID_OTP, as a password login would be
    refused = _start(client, "google", "?redirect=/admin/content")
    callback = urlsplit(_sign_in(client, refused, tfa_id).headers["Location"])
    done = client.get(callback.path + "?" + callback.query)
    assert (done.status_code, done.headers["Location"]) == (
        302,
        "/admin/content?reason=INVALID_OTP",
    )
    # the code given to GET /auth/login/<p>?otp= rides in the state cookie to the callback
    code = code_at("JBSWY3DPEHPK3PXP", directus_mock.clock.time())
    wrong = "000000" if code != "000000" else "111111"
    for otp, expected in ((wrong, "/admin/content?reason=INVALID_OTP"), (code, "/admin/content")):
        start = _start(client, "google", f"?redirect=/admin/content&otp={otp}")
        callback = urlsplit(_sign_in(client, start, tfa_id).headers["Location"])
        done = client.get(callback.path + "?" + callback.query)
        assert (done.status_code, done.headers["Location"]) == (302, expected)
    assert client.get("/users/me?fields=email").get_json() == {"data": {"email": "tfa@example.com"}}


def test_fake_idp_survives_a_hostile_redirect_uri(directus_mock: Any) -> None:
    signin = directus_mock.client.post(
        "/__authmock__/directus/idp/google/signin",
        data={"redirect_uri": "http://x/cb\r\nX-Evil: 1", "state": "s", "user": ""},
    )
    assert signin.status_code == 302
    assert signin.headers["Location"] == "http://x/cb%0D%0AX-Evil:%201?error=access_denied&state=s"
    assert "X-Evil" not in signin.headers


@pytest.mark.parametrize(
    ("redirect", "status"),
    [
        # URL.canParse(redirect) is false: Directus treats it as a relative path (allowed)
        ("http://[::1", 302), ("http://[::1]:99999/x", 302), ("http://localhost:abc/", 302),
        ("http://", 302), ("http://local\u0000host/", 302),
        # parsed the WHATWG way: slashes and backslashes do not hide the host
        ("http:evil.com", 400), ("http:///evil.com", 400), ("http://evil.com\\@localhost/", 400),
        ("http:/localhost/x", 302), ("HTTP://LOCALHOST/x", 302), ("http://[::1]/x", 400),
    ],
)
def test_sso_redirect_is_parsed_like_new_url(
    directus_mock: Any, redirect: str, status: int
) -> None:
    from urllib.parse import quote

    response = _start(directus_mock.client, "google", "?redirect=" + quote(redirect, safe=""))
    assert response.status_code == status
    if status == 400:
        assert error(response) == (
            400,
            f'Invalid payload. URL "{redirect}" can\'t be used to redirect after login.',
            "INVALID_PAYLOAD",
            {"reason": f'URL "{redirect}" can\'t be used to redirect after login'},
        )


def test_sso_redirect_html_body_uses_escape_html(directus_mock: Any) -> None:
    client = directus_mock.client
    start = _start(client, "google", "?redirect=%2Fa%27b%22c%3Cd")
    callback = urlsplit(_sign_in(client, start, ADMIN_ID).headers["Location"])
    done = client.get(callback.path + "?" + callback.query, headers={"Accept": "text/html"})
    assert done.headers["Location"] == "/a'b%22c%3Cd"
    assert done.headers["Content-Type"] == "text/html; charset=utf-8"
    assert done.get_data(as_text=True) == "<p>Found. Redirecting to /a&#39;b%22c%3Cd</p>"
