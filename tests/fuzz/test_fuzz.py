"""Hypothesis fuzzing of every flavour through the in-process client.

Every route, random methods, paths near the real ones, JSON and non-JSON bodies, wrong types,
huge and deeply nested values, odd headers and tokens (real ones of this app among them).
Invariants, per request: no Python exception reached the error handler (the ``authmock`` logger
stays quiet), no HTML, every error in the product's envelope, and a refused request (4xx/5xx)
leaves every store table as it was (throttle counters excepted: the products keep those while
refusing). ``AUTHMOCK_FUZZ_EXAMPLES`` requests per flavour (150 by default, CI 2 000,
``tox -e fuzz`` 10 000); the count is printed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_to_bytes

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

import authmock
from authmock.app import MockFlask
from tests.state import snapshot

EXAMPLES = int(os.environ.get("AUTHMOCK_FUZZ_EXAMPLES", "150"))
DF_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"
METHODS = ["GET", "POST", "GET", "POST", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
           "HEAD", "MERGE", "FOO", "get", "PROPFIND", "TRACE"]


@dataclass(frozen=True)
class Target:
    """What the fuzzer knows of one flavour: its routes, a login, its envelope, its throttles."""

    name: str
    routes: tuple[str, ...]
    login: Callable[[FlaskClient], dict[str, str]]  # client -> {"token": ..., "refresh": ...}
    envelope: Callable[[int, Any], bool]
    kept_on_refusal: frozenset[str] = field(default_factory=frozenset)
    fixtures: dict[str, Any] | None = None


def _df_login(client: FlaskClient) -> dict[str, str]:
    body = client.post("/api/v2/system/admin/session", headers={"X-DreamFactory-API-Key": DF_KEY},
                       json={"email": "admin@example.com", "password": "yourpassword"}).get_json()
    return {"token": body["session_token"], "refresh": body["session_token"]}


def _directus_login(client: FlaskClient) -> dict[str, str]:
    data = client.post("/auth/login", json={"email": "admin@example.com",
                                            "password": "password"}).get_json()["data"]
    return {"token": data["access_token"], "refresh": data["refresh_token"]}


def _paystub_login(client: FlaskClient) -> dict[str, str]:
    data = client.post("/admin/auth/login", json={"email": "owner@example.com",
                                                  "password": "your-password"}).get_json()
    token = data["data"]["token"]["access_token"]
    return {"token": token, "refresh": token}


def _df_envelope(status: int, body: Any) -> bool:
    if not isinstance(body, dict) or list(body) != ["error"] or not isinstance(body["error"], dict):
        return False
    keys = list(body["error"])
    if status == 500 and keys == ["code", "message"]:  # Laravel's short 500 (HTTP Basic)
        return True
    return keys == ["code", "context", "message", "status_code"] and (
        body["error"]["status_code"] == status)


def _directus_envelope(status: int, body: Any) -> bool:
    if not isinstance(body, dict) or list(body) != ["errors"]:
        return False
    errors = body["errors"]
    return isinstance(errors, list) and len(errors) >= 1 and all(
        isinstance(e, dict) and list(e) == ["message", "extensions"]
        and isinstance(e["message"], str) and list(e["extensions"])[-1:] == ["code"]
        for e in errors
    )


def _paystub_envelope(status: int, body: Any) -> bool:
    return (isinstance(body, dict) and list(body)[:2] == ["success", "message"]
            and body["success"] is False and isinstance(body["message"], str))


TARGETS = {
    "dreamfactory": Target(
        "dreamfactory",
        ("/api/v2/system/admin/session", "/api/v2/user/session", "/api/v2/user/password",
         "/api/v2/system/admin/password", "/api/v2/user/register", "/api/v2/user/profile",
         "/api/v2/system/admin/profile", "/api/v2/system/app", "/api/v2/system/user",
         "/api/v2/system/user/2", "/api/v2/system/role", "/api/v2/db/_table/contacts",
         "/api/v2", "/api/v2/system", "/api", "/"),
        _df_login, _df_envelope,
    ),
    "directus": Target(
        "directus",
        ("/auth", "/auth/login", "/auth/refresh", "/auth/logout", "/auth/password/request",
         "/auth/password/reset", "/auth/login/ldap", "/auth/login/local", "/auth/login/google",
         "/auth/login/google/callback", "/auth/login/saml/acs", "/users/me",
         "/items/articles", "/items/articles/1", "/server/ping", "/"),
        _directus_login, _directus_envelope,
    ),
    "paystub": Target(
        "paystub",
        ("/admin/auth/login", "/admin/auth/refresh", "/admin/auth/me", "/admin/auth/logout",
         "/admin/auth/forgot-password", "/admin/auth/reset-password", "/admin/dashboard/stats",
         "/admin/users", "/admin/users/1", "/admin/sites", "/admin/roles", "/"),
        _paystub_login, _paystub_envelope,
        fixtures=authmock.bundled_fixture("paystub", api_rate_limit=0),
    ),
}

# --- strategies ---------------------------------------------------------------------------
FIELD_NAMES = ["email", "password", "refresh_token", "mode", "token", "code", "new_password",
               "old_password", "otp", "reset_url", "remember_me", "duration",
               "password_confirmation", "api_key", "session_token", "service", "first_name",
               "display_name", "login", "username", "access_token", "fields", "filter", "_method"]
text = st.text(max_size=40)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                    blacklist_characters="\x7f"), max_size=60)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                      text, st.sampled_from(["admin@example.com", "password", "", " ", "\x00"]))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), text), inner,
                                            max_size=5)),
    max_leaves=12,
)
DEEP = 3000
SPECIAL_BODIES = [
    b"[" * DEEP + b"]" * DEEP,
    b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    json.dumps({"email": "a" * 200_000, "password": "p"}).encode(),
    json.dumps({"email": ["admin@example.com"] * 5000}).encode(),
    b"x" * 3_000_000,
    b"\xff\xfe\x00{",
    b'{"email": "admin@example.com", "password": "password"',
    b"email=admin%40example.com&password=password",
    b"--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nx\r\n--b--\r\n",
    b"\x1f\x8b\x08\x00garbage",
    b"",
    # near-valid bodies, so the fuzzer also reaches past the validation (placeholders filled)
    b'{"email": "admin@example.com", "password": "password"}',
    b'{"email": "admin@example.com", "password": "yourpassword"}',
    b'{"email": "owner@example.com", "password": "your-password"}',
    b'{"email": "owner@example.com", "password": ["your-password"]}',
    b'{"refresh_token": "{refresh}"}',
    b'{"refresh_token": "{refresh}", "mode": "cookie"}',
    b'{"mode": "session"}',
    b'{"email": "manager@example.com"}',
    b'{"email": "user@example.com", "code": "{token}", "new_password": "x"}',
    b'{"token": "{token}", "password": "n3w"}',
    b'{"old_password": "yourpassword", "new_password": "n3w"}',
    b'{"session_token": "{token}", "api_key": "' + DF_KEY.encode() + b'"}',
]
CONTENT_TYPES = [None, "application/json", "application/json; charset=latin-1",
                 "application/x-www-form-urlencoded", "multipart/form-data",
                 "multipart/form-data; boundary=b", "text/plain", "text/csv", "application/xml",
                 "application/vnd.api+json", "*/*", "garbage", ";;;"]


MUTATIONS = ["same"] * 12 + ["slash", "double", "upper", "extra", "drop", "encoded",
             "dots", "suffix", "unicode", "semicolon", "percent"]
HEADER_CHOICES = {
    "X-DreamFactory-API-Key": [DF_KEY, "0" * 64, ""],
    "X-DreamFactory-Session-Token": ["{token}", "a.b.c", ""],
    "Accept": ["application/json", "text/html", "*/*", "", "application/xml"],
    "Origin": ["http://localhost:3000", "null", "http://evil.example"],
    "X-HTTP-Method": ["DELETE", "PUT", "FOO"],
    "X-HTTP-Method-Override": ["DELETE", "PATCH", "GET", "FOO"],
    "Cookie": ["directus_refresh_token={refresh}", "directus_session_token={token}",
               "directus_session_token=a.b.c", "=;=;"],
    "Content-Encoding": ["gzip", "deflate", "br"],
    "Access-Control-Request-Method": ["POST", "DELETE", "FOO"],
}
AUTHORIZATION = st.one_of(
    st.sampled_from(["Bearer {token}", "Bearer {refresh}", "Bearer a.b.c", "bearer {token}",
                     "Basic YWRtaW5AZXhhbXBsZS5jb206eW91cnBhc3N3b3Jk", "Basic !!!", "Basic "]),
    header_text.map(lambda t: "Bearer " + t),
    header_text,
)
# built once: Hypothesis re-derives a strategy's properties each time one is constructed
HEADERS = st.fixed_dictionaries(
    {}, optional={"Authorization": AUTHORIZATION, **{
        name: st.one_of(st.sampled_from(values), header_text)
        for name, values in HEADER_CHOICES.items()}},
)
QUERY = st.dictionaries(st.sampled_from([*FIELD_NAMES, "x", "limit", "meta"]),
                        st.one_of(st.sampled_from(["{token}", "{refresh}", DF_KEY, ""]),
                                  header_text), max_size=3)
FORM = st.dictionaries(st.sampled_from(FIELD_NAMES), text, max_size=4).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs.items()).encode("utf-8", "surrogatepass"))
BODY = st.one_of(
    st.tuples(st.none(), st.sampled_from(CONTENT_TYPES)),
    st.tuples(json_value.map(lambda v: json.dumps(v).encode()),
              st.sampled_from(["application/json", *CONTENT_TYPES])),
    st.tuples(st.sampled_from(SPECIAL_BODIES),
              st.sampled_from(["application/json", "application/json", *CONTENT_TYPES])),
    st.tuples(st.binary(max_size=200), st.sampled_from(CONTENT_TYPES)),
    st.tuples(FORM, st.sampled_from(["application/x-www-form-urlencoded", *CONTENT_TYPES])),
)
SEGMENT = st.text(min_size=1, max_size=5).map(lambda t: t.replace("?", "").replace("#", ""))


def _mutate(path: str, mutation: str, other: str, extra: str, segment: str) -> str:
    if mutation == "slash":
        return path.rstrip("/") + "/"
    if mutation == "double":
        return path.replace("/", "//", 1)
    if mutation == "upper":
        return path.upper()
    if mutation == "extra":
        return path.rstrip("/") + "/" + extra
    if mutation == "drop":
        return path.rsplit("/", 1)[0] or "/"
    if mutation == "encoded":
        return path.replace("/", "%2F")
    if mutation == "dots":
        return path + "/../" + other.lstrip("/")
    if mutation == "suffix":
        return path + {"x": ".json", "1": ".php", "me": "~", "..": " ", "%00": "%20"}.get(
            extra, "#x")
    if mutation == "unicode":
        return path + "/" + segment
    if mutation == "semicolon":
        return path + ";a=b"
    if mutation == "percent":
        return path + "%" + {"x": "", "1": "G", "me": "2", "..": "zz"}.get(extra, "ff")
    return path


def near_paths(routes: tuple[str, ...]) -> st.SearchStrategy[str]:
    """The real paths, and paths one edit away from them."""
    route = st.sampled_from(routes)
    return st.builds(_mutate, route, st.sampled_from(MUTATIONS), route,
                     st.sampled_from(["x", "1", "me", "..", "%00", "0"]), SEGMENT)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None
    content_type: str | None


def requests_for(target: Target) -> st.SearchStrategy[Request]:
    def build(method: str, path: str, query: dict[str, str], headers: dict[str, str],
              body: tuple[bytes | None, str | None]) -> Request:
        return Request(method, path, query, headers, body[0], body[1])

    return st.builds(build, st.sampled_from(METHODS), near_paths(target.routes), QUERY,
                     HEADERS, BODY)


# --- the invariants -------------------------------------------------------------------------
class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged_errors() -> Iterator[_Errors]:
    handler = _Errors()
    logger = logging.getLogger("authmock")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _fill(value: str, tokens: dict[str, str]) -> str:
    return value.replace("{token}", tokens["token"]).replace("{refresh}", tokens["refresh"])


class Fuzzer:
    """Sends requests to one app holding one live session; checks the invariants on each."""

    def __init__(self, target: Target, errors: _Errors) -> None:
        self.target = target
        self.app: MockFlask = authmock.create_app(target.name, fixtures=target.fixtures)
        self.client = self.app.test_client()
        self.errors = errors
        self.tokens: dict[str, str] | None = None
        self.sent = 0

    def _fresh(self) -> dict[str, str]:
        """Reset and log in again, only after a request that may have changed state: a
        refused one provably changed nothing, so its successor starts from the same state."""
        if self.tokens is None:
            self.app.mock.reset()
            self.client = self.app.test_client()
            self.tokens = self.target.login(self.client)
        return self.tokens

    def check(self, req: Request) -> None:
        mock, target = self.app.mock, self.target
        tokens = self._fresh()
        headers = {k: _fill(v, tokens) for k, v in req.headers.items()}
        data = req.body
        if data is not None and b"{" in data[:1] and len(data) < 500:
            data = _fill(data.decode("utf-8", "surrogateescape"), tokens).encode(
                "utf-8", "surrogateescape")
        query = {k: _fill(v, tokens) for k, v in req.query.items()}
        if req.content_type is not None:
            headers["Content-Type"] = req.content_type
        before = snapshot(mock.store, target.kept_on_refusal)
        mail_before = len(mock.mailbox)
        del self.errors.records[:]
        builder = EnvironBuilder(path="/", method=req.method, query_string=query,
                                 headers=Headers(headers), data=data)
        environ = builder.get_environ()
        builder.close()
        # the path as a server reads it off the request line (the test client would parse a
        # leading "//" as a host name)
        raw = quote(req.path, safe="/%;=~.#:@!$&'()*+,")
        environ["PATH_INFO"] = unquote_to_bytes(raw.split("#", 1)[0]).decode("latin-1")
        environ["REQUEST_URI"] = environ["RAW_URI"] = raw
        self.tokens = None  # until proven unchanged
        response = self.client.open(environ)
        self.sent += 1
        status = response.status_code
        described = f"{req.method} {req.path} -> {status} {response.get_data()[:300]!r}"
        assert not self.errors.records, (described,
                                         [r.getMessage() for r in self.errors.records])
        assert "html" not in (response.content_type or "") or status < 400, described
        # a refused CORS preflight is headers only in the products (php-cors: "405 Method not
        # allowed" with no body), so it has no envelope to check
        preflight = req.method == "OPTIONS" and "Access-Control-Request-Method" in headers
        if status >= 400 and req.method != "HEAD" and not (
                preflight and response.get_data() == b""):
            body = response.get_json(silent=True)
            assert body is not None and target.envelope(status, body), described
        if status >= 400:
            assert snapshot(mock.store, target.kept_on_refusal) == before, described
            assert len(mock.mailbox) == mail_before, described
            self.tokens = tokens


@pytest.mark.parametrize("flavour", list(TARGETS))
def test_fuzz(flavour: str, logged_errors: _Errors) -> None:
    fuzzer = Fuzzer(TARGETS[flavour], logged_errors)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests_for(fuzzer.target))
    def fuzz(req: Request) -> None:
        fuzzer.check(req)

    fuzz()
    print(f"\nfuzz {flavour}: {fuzzer.sent} requests")
    assert fuzzer.sent >= EXAMPLES
