"""CORS as a browser meets it: Directus's ``cors`` middleware under the CORS_* settings."""

from __future__ import annotations

import re
from typing import Any

import pytest

import authmock
from authmock.fixtures import FixtureError
from authmock.flavours.directus.config import env_cast

from .helpers import ADMIN, bearer, error, with_settings

APP = "http://localhost:3000"
VITE = "http://127.0.0.1:5173"
EVIL = "https://evil.example"
LIST = with_settings(CORS_ENABLED=True, CORS_ORIGIN=f"{APP},regex:^http://127\\.0\\.0\\.1:\\d+$")
PREFLIGHT = {"Origin": APP, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type,authorization"}
CORS_NAMES = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
              "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
              "Access-Control-Max-Age", "Access-Control-Expose-Headers")


def _client(cors: bool | None = None, **settings: Any) -> Any:
    app = authmock.create_app("directus", fixtures=with_settings(**settings), cors=cors)
    return app.test_client()


def _cors(response: Any) -> list[tuple[str, str]]:
    """The CORS headers (and Vary) in the order they were sent."""
    return [
        (k, v)
        for k, v in response.headers.items()
        if k.startswith("Access-Control-") or k == "Vary"
    ]


def _login(client: Any, password: str, origin: str) -> Any:
    return client.post(
        "/auth/login", json={"email": ADMIN, "password": password}, headers={"Origin": origin}
    )


def _names(response: Any) -> list[str]:
    return [name for name, _ in response.headers.items()]


# disabled: Directus's default, with `--cors off` or a fixture's own CORS_* that leave it off --
@pytest.mark.parametrize(
    ("cors", "settings"),
    [
        (False, {}),
        (None, {"CORS_ENABLED": True}),
        (None, {"CORS_ENABLED": "true", "CORS_ORIGIN": "false"}),
        (None, {"CORS_ENABLED": False, "CORS_ORIGIN": True}),
        (None, {"CORS_ENABLED": False}),
    ],
)
def test_without_cors_options_and_origins_change_nothing(
    cors: bool | None, settings: dict[str, Any]
) -> None:
    client = _client(cors, **settings)
    options = client.options("/auth/login", headers=PREFLIGHT)
    assert (options.status_code, options.headers["Allow"], options.get_data(as_text=True)) == (
        200,
        "POST",
        "POST",
    )
    assert options.headers["Content-Type"] == "text/html; charset=utf-8"
    assert error(client.options("/nowhere", headers=PREFLIGHT))[2] == "ROUTE_NOT_FOUND"
    ok = client.get("/auth", headers={"Origin": APP})
    assert _cors(ok) == [("Vary", "Origin, Cache-Control")]
    assert not any(name in ok.headers for name in CORS_NAMES)


# preflight --------------------------------------------------------------------------------
@pytest.mark.authmock(fixtures=LIST)
def test_preflight_from_an_allowed_origin(directus_mock: Any) -> None:
    response = directus_mock.client.options("/auth/login", headers=PREFLIGHT)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert _names(response) == [
        "Content-Security-Policy", "Cross-Origin-Opener-Policy", "X-Powered-By",
        "Access-Control-Allow-Origin", "Vary", "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age",
        "Access-Control-Expose-Headers", "Content-Length", "Date",
    ]
    assert _cors(response) == [
        ("Access-Control-Allow-Origin", APP),
        ("Vary", "Origin"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET,POST,PATCH,DELETE"),
        ("Access-Control-Allow-Headers", "Content-Type,Authorization"),
        ("Access-Control-Max-Age", "18000"),
        ("Access-Control-Expose-Headers", "Content-Range"),
    ]
    assert response.headers["Content-Length"] == "0"
    assert response.headers["X-Powered-By"] == "Directus"


@pytest.mark.authmock(fixtures=LIST)
def test_preflight_runs_before_body_token_limiter_and_routes(directus_mock: Any) -> None:
    client = directus_mock.client
    for path in ("/nowhere", "/users/me", "/auth/login/unknown-provider"):
        response = client.options(path, headers={**PREFLIGHT, **bearer("garbage")},
                                  data="{bad json", content_type="application/json")
        assert response.status_code == 204, path
        assert response.headers["Access-Control-Allow-Origin"] == APP
    # cors checks no request header: any OPTIONS is a preflight, even without an Origin
    bare = client.options("/auth/login")
    assert bare.status_code == 204 and "Access-Control-Allow-Origin" not in bare.headers
    assert bare.headers["Access-Control-Allow-Methods"] == "GET,POST,PATCH,DELETE"


@pytest.mark.authmock(fixtures=LIST)
def test_preflight_from_a_refused_origin_has_no_allow_origin(directus_mock: Any) -> None:
    response = directus_mock.client.options("/auth/login", headers={**PREFLIGHT, "Origin": EVIL})
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers
    # the rest is sent all the same (the browser stops at the missing origin)
    assert [name for name, _ in _cors(response)] == [
        "Vary", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Expose-Headers",
    ]


# actual requests --------------------------------------------------------------------------
@pytest.mark.authmock(fixtures=LIST)
def test_requests_from_allowed_origins(directus_mock: Any) -> None:
    client = directus_mock.client
    ok = _login(client, "password", VITE)
    assert ok.status_code == 200
    assert _cors(ok) == [
        ("Access-Control-Allow-Origin", VITE),
        ("Vary", "Origin, Cache-Control"),  # respond's setHeader keeps the place cors gave Vary
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "Content-Range"),
    ]
    assert _names(ok).index("Access-Control-Allow-Origin") == _names(ok).index("X-Powered-By") + 1
    bad = _login(client, "wrong", APP)
    assert error(bad)[2] == "INVALID_CREDENTIALS"
    assert _cors(bad) == [
        ("Access-Control-Allow-Origin", APP),
        ("Vary", "Origin"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "Content-Range"),
    ]
    redirect = client.get("/", headers={"Origin": APP})
    assert redirect.status_code == 302 and redirect.headers["Vary"] == "Origin, Accept"
    missing = client.get("/nowhere", headers={"Origin": APP, **bearer("garbage")})
    assert error(missing)[2] == "INVALID_CREDENTIALS"
    assert missing.headers["Access-Control-Allow-Origin"] == APP
    head = client.head("/auth", headers={"Origin": APP})
    assert head.headers["Access-Control-Allow-Origin"] == APP


@pytest.mark.authmock(fixtures=LIST)
def test_refused_origin_and_no_origin_get_no_allow_origin(directus_mock: Any) -> None:
    client = directus_mock.client
    for headers in ({"Origin": EVIL}, {"Origin": "http://localhost:3000/"}, {"Origin": "null"}, {}):
        response = client.get("/auth", headers=headers)
        assert response.status_code == 200  # served all the same; the browser hides it
        assert _cors(response) == [
            ("Vary", "Origin, Cache-Control"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "Content-Range"),
        ], headers


@pytest.mark.authmock(fixtures=with_settings(CORS_ENABLED=True, CORS_ORIGIN=True))
def test_origin_true_reflects_any_origin(directus_mock: Any) -> None:
    client = directus_mock.client
    for origin in (APP, EVIL, "null"):
        assert (
            client.get("/auth", headers={"Origin": origin}).headers["Access-Control-Allow-Origin"]
            == origin
        )
        assert (
            client.options("/auth", headers={"Origin": origin}).headers[
                "Access-Control-Allow-Origin"
            ]
            == origin
        )
    assert "Access-Control-Allow-Origin" not in client.get("/auth").headers


def test_origin_env_spellings() -> None:
    assert _client(CORS_ENABLED="true", CORS_ORIGIN="true").get(
        "/auth", headers={"Origin": EVIL}).headers["Access-Control-Allow-Origin"] == EVIL
    listed = _client(CORS_ENABLED=True, CORS_ORIGIN=[APP, "regex:^https://.*\\.example$"])
    assert (
        listed.get("/auth", headers={"Origin": EVIL}).headers["Access-Control-Allow-Origin"] == EVIL
    )
    assert (
        listed.get("/auth", headers={"Origin": VITE}).headers.get("Access-Control-Allow-Origin")
        is None
    )
    # toArray splits on every comma and trims nothing: " http://b" never equals an Origin
    spaced = _client(CORS_ENABLED=True, CORS_ORIGIN=f"{EVIL}, {APP}")
    assert (
        spaced.get("/auth", headers={"Origin": EVIL}).headers["Access-Control-Allow-Origin"] == EVIL
    )
    assert "Access-Control-Allow-Origin" not in spaced.get("/auth", headers={"Origin": APP}).headers
    regex = _client(CORS_ENABLED=True, CORS_ORIGIN="regex:localhost")  # RegExp.test: a search
    assert regex.get("/auth", headers={"Origin": APP}).headers["Access-Control-Allow-Origin"] == APP


def test_fixed_and_wildcard_origins() -> None:
    fixed = _client(CORS_ENABLED=True, CORS_ORIGIN=APP)
    # one string is written as is, whatever the request's origin (the browser compares)
    foreign = fixed.get("/auth", headers={"Origin": EVIL})
    assert foreign.headers["Access-Control-Allow-Origin"] == APP
    assert fixed.get("/auth").headers["Access-Control-Allow-Origin"] == APP
    star = _client(CORS_ENABLED=True, CORS_ORIGIN="*")
    response = star.get("/auth", headers={"Origin": EVIL})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Vary"] == "Origin, Cache-Control"  # respond's own, not cors's
    refused = _login(star, "wrong", EVIL)
    assert "Vary" not in refused.headers  # '*' adds no Vary
    preflight = star.options("/auth/login", headers=PREFLIGHT)
    assert [name for name, _ in _cors(preflight)][:2] == [
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
    ]


def test_other_cors_settings() -> None:
    client = _client(CORS_ENABLED=True, CORS_ORIGIN=True, CORS_METHODS=["GET", "POST"],
                     CORS_ALLOWED_HEADERS=False, CORS_EXPOSED_HEADERS="Content-Range,X-Total",
                     CORS_CREDENTIALS="false", CORS_MAX_AGE=0)
    response = client.options("/auth/login", headers=PREFLIGHT)
    assert _cors(response) == [
        ("Access-Control-Allow-Origin", APP),
        ("Vary", "Origin, Access-Control-Request-Headers"),
        ("Access-Control-Allow-Methods", "GET,POST"),
        ("Access-Control-Allow-Headers", "content-type,authorization"),  # reflected
        ("Access-Control-Max-Age", "0"),  # cors 2.8.5 writes a 0
        ("Access-Control-Expose-Headers", "Content-Range,X-Total"),
    ]
    quiet = _client(
        CORS_ENABLED=True,
        CORS_ORIGIN=True,
        CORS_MAX_AGE=False,
        CORS_EXPOSED_HEADERS="",
        CORS_ALLOWED_HEADERS="X-One",
    )
    preflight = quiet.options("/auth/login", headers=PREFLIGHT)
    assert "Access-Control-Max-Age" not in preflight.headers
    assert "Access-Control-Expose-Headers" not in preflight.headers
    assert preflight.headers["Access-Control-Allow-Headers"] == "X-One"
    assert preflight.headers["Vary"] == "Origin"


def test_errors_before_the_routes_carry_cors_headers() -> None:
    client = _client(
        CORS_ENABLED=True, CORS_ORIGIN=APP, RATE_LIMITER_ENABLED=True, RATE_LIMITER_POINTS=1
    )
    headers = {"Origin": APP}
    assert client.get("/auth", headers=headers).status_code == 200
    limited = client.get("/auth", headers=headers)
    assert error(limited)[2] == "REQUESTS_EXCEEDED"
    assert limited.headers["Access-Control-Allow-Origin"] == APP
    big = client.post(
        "/auth/login",
        data=b"{" + b" " * (1024 * 1024 + 1) + b"}",
        content_type="application/json",
        headers={**headers, "X-Forwarded-For": "203.0.113.9"},
    )
    assert error(big)[1] == "Invalid payload. request entity too large."
    assert big.headers["Access-Control-Allow-Origin"] == APP
    # authmock's own pages are not Directus's
    assert (
        "Access-Control-Allow-Origin"
        not in client.get("/__authmock__/health", headers=headers).headers
    )


# fixture ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"CORS_ENABLED": "yes"},
            '$.settings.CORS_ENABLED: must be true, false, "true" or "false"',
        ),
        ({"CORS_CREDENTIALS": 1}, "$.settings.CORS_CREDENTIALS: must be"),
        ({"CORS_ORIGIN": {"url": APP}}, "$.settings.CORS_ORIGIN: must be true, false"),
        ({"CORS_ORIGIN": 3000}, "$.settings.CORS_ORIGIN: must be true, false"),
        ({"CORS_ORIGIN": [APP, 3000]}, "$.settings.CORS_ORIGIN[1]: must be"),
        ({"CORS_ORIGIN": "regex:^(http"}, "$.settings.CORS_ORIGIN: is not a valid regex"),
        ({"CORS_ORIGIN": [APP, "regex:["]}, "$.settings.CORS_ORIGIN: is not a valid regex"),
        ({"CORS_ORIGIN": '{"a": 1}'}, "$.settings.CORS_ORIGIN: must be true, false"),
        ({"CORS_METHODS": 5}, "$.settings.CORS_METHODS: must be a comma-separated string"),
        (
            {"CORS_ALLOWED_HEADERS": ["Content-Type", None]},
            "$.settings.CORS_ALLOWED_HEADERS[1]: must be",
        ),
        ({"CORS_MAX_AGE": "soon"}, "$.settings.CORS_MAX_AGE: must be a number of seconds"),
        ({"CORS_MAX_AGE": -1}, "$.settings.CORS_MAX_AGE: must be a number of seconds"),
    ],
)
def test_cors_fixture_problems_name_the_path(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(FixtureError) as caught:
        authmock.create_app("directus", fixtures=with_settings(**settings))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("value", "cast"),
    [
        ("true", True),
        ("false", False),
        (True, True),
        ("0", 0),
        ("18000", 18000),
        ("", ""),
        ("*", "*"),
        (APP, APP),
        (f"{APP},{EVIL}", [APP, EVIL]),
        (f"{APP}, {EVIL}", [APP, f" {EVIL}"]),
        ("a,,b", ["a", "b"]),
        ("array:x", ["x"]),
        ("string:true", "true"),
        ('["x"]', ["x"]),
        ("regex:^a$", re.compile("^a$")),
        (["regex:b", APP], [re.compile("b"), APP]),
        (None, None),
    ],
)
def test_env_cast_matches_directus(value: Any, cast: Any) -> None:
    assert env_cast(value) == cast


# a browser's view of the live server ---------------------------------------------------------
def _browser_fetch(base: str, method: str, path: str, origin: str, headers: dict[str, str],
                   body: bytes | None = None) -> Any:
    """The Fetch standard's CORS checks for a credentialed request (``credentials: 'include'``),
    with a preflight as a browser sends one for a JSON POST; raises where the browser would."""
    import requests

    request_headers = sorted(name.lower() for name in headers)
    pre = requests.options(f"{base}{path}", timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": ",".join(request_headers),
    })
    if not 200 <= pre.status_code < 300:
        raise PermissionError("preflight status")
    _check_origin(pre, origin)
    methods = {
        m.strip().upper() for m in pre.headers.get("Access-Control-Allow-Methods", "").split(",")
    }
    if method not in methods and method not in ("GET", "HEAD", "POST"):
        raise PermissionError("method not allowed")
    allowed = {
        h.strip().lower() for h in pre.headers.get("Access-Control-Allow-Headers", "").split(",")
    }
    missing = [h for h in request_headers if h not in allowed]
    if missing:
        raise PermissionError(f"headers not allowed: {missing}")
    response = requests.request(method, f"{base}{path}", data=body, timeout=10,
                                headers={"Origin": origin, **headers})
    _check_origin(response, origin)
    return response


def _check_origin(response: Any, origin: str) -> None:
    if response.headers.get("Access-Control-Allow-Origin") != origin:
        raise PermissionError("Access-Control-Allow-Origin")
    if response.headers.get("Access-Control-Allow-Credentials") != "true":
        raise PermissionError("Access-Control-Allow-Credentials")


@pytest.mark.authmock(fixtures=LIST)
def test_a_browser_on_localhost_3000_can_log_in(directus_mock: Any) -> None:
    import requests

    base = directus_mock.url
    raw = requests.options(f"{base}/auth/login", headers=PREFLIGHT, timeout=10)
    assert raw.status_code == 204 and raw.headers["Content-Length"] == "0" and raw.content == b""
    body = b'{"email":"admin@example.com","password":"password","mode":"session"}'
    json_type = {"Content-Type": "application/json"}
    response = _browser_fetch(base, "POST", "/auth/login", APP, json_type, body)
    assert (
        response.status_code == 200 and "directus_session_token=" in response.headers["Set-Cookie"]
    )
    with pytest.raises(PermissionError):
        _browser_fetch(base, "POST", "/auth/login", EVIL, json_type, body)
    with pytest.raises(PermissionError):  # X-Custom is not in CORS_ALLOWED_HEADERS
        _browser_fetch(base, "POST", "/auth/login", APP, {**json_type, "X-Custom": "1"}, body)


# authmock's development default: on for loopback origins unless `--cors off` -------------------
@pytest.mark.parametrize("origin", ["http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8081"])
def test_loopback_origins_are_allowed_out_of_the_box(directus_mock: Any, origin: str) -> None:
    client = directus_mock.client
    preflight = client.options("/auth/refresh", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert preflight.status_code == 204
    assert _cors(preflight) == [
        ("Access-Control-Allow-Origin", origin),
        ("Vary", "Origin"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET,POST,PATCH,DELETE"),
        ("Access-Control-Allow-Headers", "Content-Type,Authorization"),
        ("Access-Control-Max-Age", "18000"),
        ("Access-Control-Expose-Headers", "Content-Range"),
    ]
    login = _login(client, "password", origin)
    assert login.status_code == 200
    assert login.headers["Access-Control-Allow-Origin"] == origin
    assert login.headers["Access-Control-Allow-Credentials"] == "true"
    assert login.headers["Vary"] == "Origin, Cache-Control"
    refused = _login(client, "wrong", origin)
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize("origin", [EVIL, "http://localhost.evil.example:5173", "null"])
def test_other_origins_are_not_allowed_out_of_the_box(directus_mock: Any, origin: str) -> None:
    response = _login(directus_mock.client, "password", origin)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin, Cache-Control"


def test_cors_origins_replace_the_loopback_list() -> None:
    client = _client(cors_origins=["https://app.example.test"])
    assert _login(client, "password", "https://app.example.test").headers[
        "Access-Control-Allow-Origin"] == "https://app.example.test"
    assert "Access-Control-Allow-Origin" not in _login(client, "password", VITE).headers
    star = authmock.create_app("directus", cors_origins=["*"]).test_client()
    echoed = _login(star, "password", EVIL)
    assert echoed.headers["Access-Control-Allow-Origin"] == EVIL  # echoed, never "*"
    assert echoed.headers["Access-Control-Allow-Credentials"] == "true"


def test_a_fixtures_own_cors_settings_rule_over_the_default() -> None:
    client = _client(CORS_ENABLED=True, CORS_ORIGIN=APP)
    assert _login(client, "password", APP).headers["Access-Control-Allow-Origin"] == APP
    # CORS_ORIGIN as one string is sent as is: the loopback default is not in force
    assert _login(client, "password", VITE).headers["Access-Control-Allow-Origin"] == APP


def test_cors_origins_are_checked() -> None:
    with pytest.raises(FixtureError) as caught:
        _client(cors_origins=["http://localhost:5173/"])
    assert str(caught.value).startswith("<fixtures>: $.settings.cors_origins[0]: ")
    with pytest.raises(ValueError, match="needs CORS on"):
        authmock.create_app("directus", cors=False, cors_origins=[APP])


@pytest.mark.authmock(cors=False)
def test_the_marker_gives_the_products_own_cors_default(directus_mock: Any) -> None:
    response = directus_mock.client.get("/server/ping", headers={"Origin": "http://localhost:5173"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert directus_mock.mock.cors.enabled is False


def test_without_the_marker_loopback_origins_are_allowed(directus_mock: Any) -> None:
    response = directus_mock.client.get("/server/ping", headers={"Origin": "http://localhost:5173"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
