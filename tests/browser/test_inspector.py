"""The inspector page used as a person uses it: headless Chromium against a live fake.

Each test drives the product API from Python (as the frontend under development would) and
the page with clicks and keys, and checks both what the page shows and what the API does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import Locator, expect

import authmock
from authmock.server import LiveServer
from tests.browser.harness import LoggedPage

DF_ADMIN_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"
POLL = "?poll=200"  # the page polls every 200 ms instead of every second: shorter waits


@dataclass(frozen=True)
class Product:
    """How to log in to one flavour and use the token, as a frontend would."""

    flavour: str
    email: str
    kind: str  # the session kind the inspector shows for that login
    login: Callable[[str], str]  # base URL -> token
    use: Callable[[str, str], requests.Response]  # base URL, token -> an authenticated call
    revoked: int  # the status of that call once the token is revoked


def _directus_login(base: str) -> str:
    body = {"email": "admin@example.com", "password": "password"}
    answer = requests.post(f"{base}/auth/login", json=body, timeout=5)
    token: str = answer.json()["data"]["access_token"]
    return token


def _dreamfactory_login(base: str) -> str:
    body = {"email": "admin@example.com", "password": "yourpassword"}
    response = requests.post(f"{base}/api/v2/system/admin/session", json=body,
                             headers={"X-DreamFactory-API-Key": DF_ADMIN_KEY}, timeout=5)
    token: str = response.json()["session_token"]
    return token


def _paystub_login(base: str) -> str:
    body = {"email": "owner@example.com", "password": "your-password"}
    response = requests.post(f"{base}/admin/auth/login", json=body, timeout=5)
    token: str = response.json()["data"]["token"]["access_token"]
    return token


PRODUCTS = {
    "directus": Product(
        "directus", "admin@example.com", "access", _directus_login,
        lambda base, token: requests.get(
            f"{base}/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5),
        403,  # a JWT Directus cannot accept is INVALID_TOKEN, a 403
    ),
    "dreamfactory": Product(
        "dreamfactory", "admin@example.com", "API key session", _dreamfactory_login,
        lambda base, token: requests.get(
            f"{base}/api/v2/system/admin/session", timeout=5,
            headers={"X-DreamFactory-API-Key": DF_ADMIN_KEY,
                     "X-DreamFactory-Session-Token": token}),
        403,  # "The token has been blacklisted", as after logout
    ),
    "paystub": Product(
        "paystub", "owner@example.com", "Sanctum token", _paystub_login,
        lambda base, token: requests.get(
            f"{base}/admin/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=5),
        401,
    ),
}


@pytest.fixture()
def live(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    flavour = getattr(request, "param", "directus")
    with authmock.run_in_thread(flavour) as server:
        yield server


def open_inspector(page: LoggedPage, server: LiveServer) -> None:
    page.goto(f"{server.url}/__authmock__/{POLL}")
    expect(page.locator("#flavour")).to_have_text(server.mock.name)


def no_console_errors(page: LoggedPage) -> None:
    assert page.console_log.errors() == []


def session_row(page: LoggedPage, user: str, kind: str) -> Locator:
    return page.locator("#sessions-body tr", has=page.get_by_text(kind, exact=True)).filter(
        has_text=user)


# --- the header --------------------------------------------------------------------------
@pytest.mark.parametrize("live", list(PRODUCTS), indirect=True)
def test_header_names_flavour_profile_and_url(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    expect(page.locator("#profile")).to_have_text("docs")
    expect(page.locator("#base-url")).to_have_text(live.url)
    expect(page).to_have_title(f"authmock inspector · {live.mock.name}")
    no_console_errors(page)


# --- sessions ----------------------------------------------------------------------------
@pytest.mark.parametrize("live", list(PRODUCTS), indirect=True)
def test_login_appears_and_24h_later_is_expired_and_refused(
    page: LoggedPage, live: LiveServer,
) -> None:
    product = PRODUCTS[live.mock.name]
    open_inspector(page, live)
    expect(page.locator("#sessions-empty")).to_be_visible()
    token = product.login(live.url)
    row = session_row(page, product.email, product.kind)
    expect(row).to_have_count(1)  # appears by itself: the page polls
    expect(row.locator(".badge")).to_have_text("live")
    assert product.use(live.url, token).status_code == 200
    # readable at 1280 x 800: no table needs its sideways scroll bar
    assert page.evaluate(
        "[...document.querySelectorAll('.scroll')].every(e => e.scrollWidth <= e.clientWidth)")

    page.get_by_role("button", name="+24 h", exact=True).click()
    expect(row.locator(".badge")).to_have_text("expired")
    expect(page.locator("#clock-offset")).to_have_text("+1 d")
    assert product.use(live.url, token).status_code == 401
    no_console_errors(page)


@pytest.mark.parametrize("live", list(PRODUCTS), indirect=True)
def test_revoke_button_makes_the_api_refuse_the_token(page: LoggedPage, live: LiveServer) -> None:
    product = PRODUCTS[live.mock.name]
    open_inspector(page, live)
    token = product.login(live.url)
    row = session_row(page, product.email, product.kind)
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_have_count(0)
    assert product.use(live.url, token).status_code == product.revoked
    no_console_errors(page)


# --- users -------------------------------------------------------------------------------
def test_totp_code_shown_is_the_one_the_control_api_gives(
    page: LoggedPage, live: LiveServer,
) -> None:
    live.clock.freeze()  # the code and its countdown stand still on a frozen clock
    open_inspector(page, live)
    row = page.locator("#users-body tr", has_text="tfa@example.com")
    code = row.locator(".otp")
    otp = requests.get(f"{live.url}/__authmock__/users/tfa@example.com/otp", timeout=5).json()
    expect(code).to_have_text(otp["otp"])
    expect(row.locator(".countdown")).to_have_text(f"{otp['valid_for_seconds']} s")
    # 30 s on, the next code
    live.clock.advance(30)
    expect(code).to_have_text(otp["next"])
    # the code logs the user in
    login = requests.post(f"{live.url}/auth/login", timeout=5, json={
        "email": "tfa@example.com", "password": "password", "otp": code.inner_text()})
    assert login.status_code == 200
    no_console_errors(page)


def test_users_list_role_status_provider(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    suspended = page.locator("#users-body tr", has_text="suspended@example.com")
    expect(suspended.locator('td[data-label="Status"]')).to_have_text("suspended")
    ldap = page.locator("#users-body tr", has_text="user@company.com")
    expect(ldap.locator('td[data-label="Provider"]')).to_have_text("ldap")
    expect(ldap.locator('td[data-label="Role"]')).to_have_text("Editor")
    no_console_errors(page)


# --- mailbox -----------------------------------------------------------------------------
def test_follow_a_directus_reset_link_from_the_mailbox(page: LoggedPage, live: LiveServer) -> None:
    """The frontend under development (here a stand-in page on its usual port) gets the token."""
    # in the bundled PASSWORD_RESET_URL_ALLOW_LIST
    frontend = "http://localhost:3000/reset-password"
    page.context.route(f"{frontend}**", lambda route: route.fulfill(
        status=200, content_type="text/html",
        body="<!doctype html><title>reset</title><link rel=icon href='data:,'>"
             "<h1>New password</h1>"))
    open_inspector(page, live)
    requested = requests.post(f"{live.url}/auth/password/request", timeout=5,
                              json={"email": "hello@example.com", "reset_url": frontend})
    assert requested.status_code == 204
    message = page.locator("#mailbox-list .message").first
    expect(message).to_contain_text("hello@example.com")
    token = message.locator("[data-token]").inner_text()
    link = message.get_by_role("link")
    expect(link).to_have_attribute("href", f"{frontend}?token={token}")

    with page.expect_popup() as popup_info:
        link.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == f"{frontend}?token={token}"
    expect(popup.get_by_role("heading")).to_have_text("New password")
    popup.close()

    # the token from the link resets the password
    reset = requests.post(f"{live.url}/auth/password/reset", timeout=5,
                          json={"token": token, "password": "brand-new-1"})
    assert reset.status_code == 204
    login = requests.post(f"{live.url}/auth/login", timeout=5,
                          json={"email": "hello@example.com", "password": "brand-new-1"})
    assert login.status_code == 200
    no_console_errors(page)


def test_mailbox_is_newest_first(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    for email in ("hello@example.com", "user@example.com"):
        requests.post(f"{live.url}/auth/password/request", json={"email": email}, timeout=5)
    messages = page.locator("#mailbox-list .message")
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_contain_text("to user@example.com")
    expect(messages.nth(1)).to_contain_text("to hello@example.com")
    no_console_errors(page)


# --- clock -------------------------------------------------------------------------------
def test_clock_buttons_and_set_field(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    expect(page.locator("#clock-offset")).to_have_text("none")
    page.get_by_role("button", name="+15 min").click()
    expect(page.locator("#clock-offset")).to_have_text("+15 min")
    page.get_by_role("button", name="+1 h", exact=True).click()
    expect(page.locator("#clock-offset")).to_have_text("+1 h 15 min")
    page.get_by_role("button", name="+7 d").click()
    expect(page.locator("#clock-offset")).to_have_text("+7 d 1 h")

    page.get_by_role("button", name="Freeze").click()
    expect(page.locator("#clock-frozen")).to_have_text("yes")
    assert live.clock.frozen
    page.get_by_label("Set to").fill("2030-01-02T03:04:05Z")
    page.get_by_role("button", name="Set", exact=True).click()
    expect(page.locator("#clock-now")).to_have_text("2030-01-02 03:04:05Z")
    assert requests.get(f"{live.url}/__authmock__/clock", timeout=5).json()["now"] == (
        "2030-01-02T03:04:05.000Z")
    page.get_by_role("button", name="Unfreeze").click()
    expect(page.locator("#clock-frozen")).to_have_text("no")

    page.get_by_role("button", name="Reset clock").click()
    expect(page.locator("#clock-offset")).to_have_text("none")
    assert abs(live.clock.offset_seconds) < 1
    no_console_errors(page)


def test_a_bad_instant_is_explained_not_thrown(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    page.get_by_label("Set to").fill("next tuesday")
    page.get_by_label("Set to").press("Enter")
    expect(page.locator("#status")).to_contain_text("not an ISO-8601 date-time")
    assert abs(live.clock.offset_seconds) < 1
    # a 400 from the control API is the one console line the browser itself writes
    assert all("400" in line for line in page.console_log.errors())


# --- journal -----------------------------------------------------------------------------
def test_journal_updates_by_itself_and_filters_by_path(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    requests.post(f"{live.url}/auth/login", json={"email": "admin@example.com", "password": "no"},
                  timeout=5)
    requests.get(f"{live.url}/server/ping", timeout=5)
    rows = page.locator("#journal-body tr")
    expect(rows).to_have_count(2)
    login = rows.filter(has_text="/auth/login")
    expect(login.locator('td[data-label="Method"]')).to_have_text("POST")
    expect(login.locator('td[data-label="Status"]')).to_have_text("401")
    expect(login.locator('td[data-label="Reason"]')).not_to_be_empty()
    expect(rows.nth(0)).to_contain_text("/server/ping")  # newest first

    page.get_by_label("Filter by path").fill("login")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("/auth/login")
    requests.get(f"{live.url}/server/ping", timeout=5)
    requests.post(f"{live.url}/auth/login", json={"email": "x@example.com", "password": "no"},
                  timeout=5)
    expect(rows).to_have_count(2)
    no_console_errors(page)


# --- faults ------------------------------------------------------------------------------
def test_add_a_fault_from_the_catalogue_then_delete_one(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    token = _directus_login(live.url)
    page.get_by_label("Path", exact=True).fill("/users/me")
    page.get_by_label("Method").select_option("GET")
    page.get_by_label("Error").select_option("SERVICE_UNAVAILABLE")
    page.get_by_label("Times").fill("1")
    page.get_by_role("button", name="Add fault").click()
    rule = page.locator("#faults-body tr").filter(has_text="/users/me")
    expect(rule.locator('td[data-label="Remaining"]')).to_have_text("1")

    failed = requests.get(f"{live.url}/users/me", headers={"Authorization": f"Bearer {token}"},
                          timeout=5)
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    expect(rule.locator('td[data-label="Remaining"]')).to_have_text("0")
    ok = requests.get(f"{live.url}/users/me", headers={"Authorization": f"Bearer {token}"},
                      timeout=5)
    assert ok.status_code == 200
    fault_rows = page.locator("#journal-body tr").filter(has_text="/users/me")
    expect(fault_rows.filter(has_text="503")).to_have_count(1)

    # a rule until removed, then removed with its Delete button
    page.get_by_label("Path", exact=True).fill("/auth/login")
    page.get_by_label("Method").select_option("POST")
    page.get_by_label("Error").select_option("INVALID_CREDENTIALS")
    page.get_by_label("Times").fill("")
    page.get_by_role("button", name="Add fault").click()
    forever = page.locator("#faults-body tr").filter(has_text="/auth/login")
    expect(forever.locator('td[data-label="Remaining"]')).to_have_text("∞")
    assert requests.post(f"{live.url}/auth/login", timeout=5, json={
        "email": "admin@example.com", "password": "password"}).status_code == 401
    forever.get_by_role("button", name="Delete").click()
    expect(forever).to_have_count(0)
    assert requests.post(f"{live.url}/auth/login", timeout=5, json={
        "email": "admin@example.com", "password": "password"}).status_code == 200
    no_console_errors(page)


# --- user scenarios ----------------------------------------------------------------------
def test_user_buttons_end_sessions_and_change_status(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    token = _directus_login(live.url)
    row = session_row(page, "admin@example.com", "access")
    expect(row).to_have_count(1)
    page.get_by_role("button", name="Expire sessions of admin@example.com").click()
    expect(page.locator("#status")).to_contain_text("Expire sessions: admin@example.com")
    me = requests.get(f"{live.url}/users/me", headers={"Authorization": f"Bearer {token}"},
                      timeout=5)
    assert me.json()["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"

    hello = page.locator("#users-body tr", has_text="hello@example.com")
    hello.get_by_label("New status for hello@example.com").select_option("suspended")
    hello.get_by_role("button", name="Set status of hello@example.com").click()
    expect(hello.locator('td[data-label="Status"]')).to_have_text("suspended")
    login = requests.post(f"{live.url}/auth/login", timeout=5, json={
        "email": "hello@example.com", "password": "d1r3ctu5"})
    assert login.status_code == 401
    no_console_errors(page)


# --- reset, keyboard, narrow screens -----------------------------------------------------
def test_reset_button_forgets_sessions_mail_and_clock(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    token = _directus_login(live.url)
    requests.post(f"{live.url}/auth/password/request", json={"email": "hello@example.com"},
                  timeout=5)
    page.get_by_role("button", name="+1 h", exact=True).click()
    expect(page.locator("#mailbox-list .message")).to_have_count(1)
    page.get_by_role("button", name="Reset everything").click()
    expect(page.locator("#mailbox-list .message")).to_have_count(0)
    expect(page.locator("#sessions-body tr")).to_have_count(0)
    expect(page.locator("#clock-offset")).to_have_text("none")
    assert PRODUCTS["directus"].use(live.url, token).status_code == 403  # signed before the reset
    no_console_errors(page)


def test_keyboard_only(page: LoggedPage, live: LiveServer) -> None:
    open_inspector(page, live)
    _directus_login(live.url)
    expect(page.locator("#sessions-body tr")).to_have_count(2)
    # Tab from the top reaches the clock buttons; Enter presses them
    button = page.get_by_role("button", name="+24 h", exact=True)
    for _ in range(200):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("+24 h is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#clock-offset")).to_have_text("+1 d")
    # focus on a button inside a list survives the list being redrawn by the polling
    revoke = page.locator("#sessions-body tr").filter(has_text="refresh").get_by_role("button")
    revoke.focus()
    requests.post(f"{live.url}/auth/login", timeout=5,
                  json={"email": "hello@example.com", "password": "d1r3ctu5"})
    expect(page.locator("#sessions-body tr")).to_have_count(4)
    assert page.evaluate("document.activeElement.textContent") == "Revoke"
    page.keyboard.press("Enter")
    expect(page.locator("#sessions-body tr")).to_have_count(3)
    no_console_errors(page)


@pytest.mark.parametrize("live", list(PRODUCTS), indirect=True)
def test_readable_at_400_px(page: LoggedPage, live: LiveServer) -> None:
    page.set_viewport_size({"width": 400, "height": 800})
    open_inspector(page, live)
    PRODUCTS[live.mock.name].login(live.url)
    expect(page.locator("#sessions-body tr")).not_to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    # stacked rows: each value is labelled with its column
    first = page.locator("#users-body tr").first
    assert first.locator("td").first.evaluate(
        "el => getComputedStyle(el, '::before').content") == '"E-mail"'
    for button in ("+15 min", "Reset everything", "Add fault"):
        box = page.get_by_role("button", name=button, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 400
    no_console_errors(page)


def test_a_server_with_a_control_token_asks_for_it(page: LoggedPage) -> None:
    with authmock.run_in_thread("paystub", control_token="s3cret") as server:
        page.goto(f"{server.url}/__authmock__/{POLL}")
        form = page.locator("#token-form")
        expect(form).to_be_visible()
        expect(page.locator("#status")).to_contain_text("401")
        page.get_by_label("This server needs its control token").fill("s3cret")
        page.get_by_role("button", name="Use token").click()
        expect(form).to_be_hidden()
        expect(page.locator("#flavour")).to_have_text("paystub")
        expect(page.locator("#users-body tr")).to_have_count(7)
        # the refused requests before the token are the browser's only console lines
        assert page.console_log.errors()
        assert all("401" in line for line in page.console_log.errors())


def test_the_token_can_come_in_the_url_as_serve_prints_it(page: LoggedPage) -> None:
    with authmock.run_in_thread("paystub", control_token="s3cret") as server:
        page.goto(f"{server.url}/__authmock__/{POLL}#token=s3cret")
        expect(page.locator("#users-body tr")).to_have_count(7)
        assert "#" not in page.url  # not left in the address bar or history
        expect(page.locator("#token-form")).to_be_hidden()
        no_console_errors(page)
