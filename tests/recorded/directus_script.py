"""The Directus script: auth, SSO, users, TFA, registration, items, settings, GraphQL."""

from __future__ import annotations

import json
import zlib
from urllib.parse import urlsplit

from authmock import otp
from tests.recorded.recorder import Recorder, Reply

ADMIN = "admin@example.com"
EDITOR = "hello@example.com"
TFA = "tfa@example.com"
PASSWORD = "password"
EDITOR_ID = "0b4f5a60-0000-4000-8000-000000000002"
USER_ID = "0b4f5a60-0000-4000-8000-000000000005"
TFA_ID = "0b4f5a60-0000-4000-8000-000000000003"
EDITOR_ROLE = "a1f2c3d4-0000-4000-8000-000000000002"
FORGED = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6IngiLCJpc3MiOiJkaXJlY3R1cyJ9"
          ".c2lnbmF0dXJl")
LOGIN_GQL = 'mutation { auth_login(email: "%s", password: "%s") { access_token expires } }'


def _mutation(name: str, args: dict[str, str], selection: str = "", extra: str = "") -> str:
    """A GraphQL mutation with string arguments (JSON quoting is GraphQL's too)."""
    parts = [f"{key}: {json.dumps(value)}" for key, value in args.items()]
    if extra:
        parts.append(extra)
    fields = f" {{ {selection} }}" if selection else ""
    return f"mutation {{ {name}({', '.join(parts)}){fields} }}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(r: Recorder, email: str, password: str = PASSWORD) -> str:
    return r.post("/auth/login", {"email": email, "password": password}).text(
        "data", "access_token")


def _otp(r: Recorder, email: str) -> str:
    return r.get(f"/__authmock__/users/{email}/otp").text("otp")


def _mail_token(r: Recorder, to: str) -> str:
    last = r.mock.mailbox.last(to)
    return last.token if last is not None and last.token else ""


def run(r: Recorder) -> None:
    """Every route of the REST and GraphQL APIs; success first, then the usual refusals."""
    _login_flows(r)
    _refresh_logout(r)
    _password_reset(r)
    _sso(r)
    _users(r)
    _tfa(r)
    _registration(r)
    _items_graphql(r)
    _http(r)
    _control(r)


def _login_flows(r: Recorder) -> None:
    r.get("/auth")
    r.get("/auth?sessionOnly")
    r.post("/auth/login", {})
    r.post("/auth/login", {"email": "not-an-email", "password": PASSWORD})
    r.post("/auth/login", {"email": ADMIN, "password": "wrong"})
    r.post("/auth/login", {"email": "nobody@example.com", "password": PASSWORD})
    r.post("/auth/login", {"email": "suspended@example.com", "password": PASSWORD})
    r.post("/auth/login", {"email": TFA, "password": PASSWORD})
    r.post("/auth/login", {"email": TFA, "password": PASSWORD, "otp": "000000"})
    r.post("/auth/login", {"email": TFA, "password": PASSWORD, "otp": _otp(r, TFA)})
    r.post("/auth/login", {"email": ADMIN, "password": PASSWORD, "mode": "bogus"})
    r.post("/auth/login", {"email": ADMIN, "password": PASSWORD, "mode": "ldap"})
    r.send("POST", "/auth/login", body="{not json", content_type="application/json")
    r.send("POST", "/auth/login", body=f"email={ADMIN}&password={PASSWORD}",
           content_type="application/x-www-form-urlencoded")
    r.send("POST", "/auth/login", body="hello", content_type="text/plain")
    r.send("GET", "/auth/login")
    r.post("/auth/login/ldap", {"identifier": "user@company.com", "password": PASSWORD})
    r.post("/auth/login/ldap", {"identifier": "user@company.com", "password": "wrong"})
    r.post("/auth/login/ldap", {"email": "user@company.com"})
    r.post("/auth/login/nosuch", {"email": ADMIN, "password": PASSWORD})
    r.get("/users/me")
    r.get("/users/me", headers=_bearer(FORGED))
    r.get("/users/me", headers=_bearer("garbage"))
    r.get("/users/me", headers=_bearer("admin-static-token"))
    r.get("/users/me?access_token=admin-static-token&fields=id,email,role.name")
    token = _login(r, ADMIN)
    r.get("/users/me", headers=_bearer(token))
    r.advance("16m")
    r.get("/users/me", headers=_bearer(token))


def _refresh_logout(r: Recorder) -> None:
    issued = r.post("/auth/login", {"email": EDITOR, "password": "d1r3ctu5"})
    refresh = issued.text("data", "refresh_token")
    again = r.post("/auth/refresh", {"refresh_token": refresh, "mode": "json"})
    r.post("/auth/refresh", {"refresh_token": refresh, "mode": "json"})  # used up
    r.post("/auth/refresh", {})
    r.post("/auth/refresh", {"refresh_token": "nope"})
    cookie = r.post("/auth/login", {"email": EDITOR, "password": "d1r3ctu5", "mode": "cookie"})
    jar = cookie.cookies.get("directus_refresh_token", "")
    moved = r.send("POST", "/auth/refresh",
                   headers={"Cookie": f"directus_refresh_token={jar}"}, json_body={})
    jar = moved.cookies.get("directus_refresh_token", jar)
    session = r.post("/auth/login", {"email": EDITOR, "password": "d1r3ctu5", "mode": "session"})
    sjar = session.cookies.get("directus_session_token", "")
    r.get("/users/me", headers={"Cookie": f"directus_session_token={sjar}"})
    renewed = r.send("POST", "/auth/refresh", headers={"Cookie": f"directus_session_token={sjar}"},
                     json_body={"mode": "session"})
    sjar = renewed.cookies.get("directus_session_token", sjar)
    r.send("POST", "/auth/logout", headers={"Cookie": f"directus_session_token={sjar}"},
           json_body={"mode": "session"})
    r.send("POST", "/auth/logout", headers={"Cookie": f"directus_refresh_token={jar}"})
    r.post("/auth/logout", {"refresh_token": again.text("data", "refresh_token")})
    r.post("/auth/logout", {"refresh_token": again.text("data", "refresh_token")})
    r.post("/auth/logout", {})
    late = r.post("/auth/login", {"email": EDITOR, "password": "d1r3ctu5"})
    r.advance("8d")
    r.post("/auth/refresh", {"refresh_token": late.text("data", "refresh_token")})


def _password_reset(r: Recorder) -> None:
    r.post("/auth/password/request", {})
    r.post("/auth/password/request", {"email": "nobody@example.com"})
    r.post("/auth/password/request",
           {"email": EDITOR, "reset_url": "http://evil.example/reset"})
    r.post("/auth/password/request",
           {"email": EDITOR, "reset_url": "http://localhost:3000/reset-password"})
    r.get(f"/__authmock__/mailbox?to={EDITOR}")
    token = _mail_token(r, EDITOR)
    r.post("/auth/password/reset", {"token": token})
    r.post("/auth/password/reset", {"token": "nope", "password": "new-password"})
    r.post("/auth/password/reset", {"token": token, "password": "new-password"})
    r.post("/auth/password/reset", {"token": token, "password": "other-password"})
    r.post("/auth/login", {"email": EDITOR, "password": "new-password"})


def _follow(r: Recorder, reply: Reply, cookie: str = "") -> Reply:
    location = reply.header("Location") or "/"
    parts = urlsplit(location)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return r.send("GET", target, headers={"Cookie": cookie} if cookie else None)


def _sso(r: Recorder) -> None:
    r.get("/auth/login/google?redirect=http://evil.example/")
    start = r.get("/auth/login/google?redirect=http://localhost:3000/after")
    cookie = "; ".join(f"{k}={v}" for k, v in start.cookies.items())
    _follow(r, start)  # the identity provider's page
    query = urlsplit(start.header("Location") or "").query
    fields = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
    from urllib.parse import unquote_plus, urlencode

    form = {k: unquote_plus(v) for k, v in fields.items()}
    signin = r.send("POST", "/__authmock__/directus/idp/google/signin",
                    body=urlencode({**form, "user": USER_ID}),
                    content_type="application/x-www-form-urlencoded")
    _follow(r, signin, cookie)
    _follow(r, signin, cookie)  # the code is single use
    r.get("/auth/login/google/callback?code=bogus&state=x", headers={"Cookie": cookie})
    r.send("POST", "/auth/login/google/callback", body="code=abc&state=def",
           content_type="application/x-www-form-urlencoded")
    r.get("/auth/login/openid")
    saml = r.get("/auth/login/saml?redirect=http://localhost:3000/after")
    query = urlsplit(saml.header("Location") or "").query
    form = {k: unquote_plus(v) for k, v in
            (pair.split("=", 1) for pair in query.split("&") if "=" in pair)}
    page = r.send("POST", "/__authmock__/directus/idp/saml/signin",
                  body=urlencode({**form, "user": USER_ID}),
                  content_type="application/x-www-form-urlencoded")
    marker = 'name="SAMLResponse" value="'
    text = page.body.decode("utf-8", "replace")
    code = text.split(marker, 1)[1].split('"', 1)[0] if marker in text else ""
    r.send("POST", "/auth/login/saml/acs",
           body=urlencode({"SAMLResponse": code, "RelayState": "http://localhost:3000/after"}),
           content_type="application/x-www-form-urlencoded")
    r.send("POST", "/auth/login/saml/acs", body="SAMLResponse=bogus",
           content_type="application/x-www-form-urlencoded")
    r.get("/__authmock__/directus/idp/nosuch")


def _users(r: Recorder) -> None:
    admin = _bearer(_login(r, ADMIN))
    editor = _bearer(_login(r, "user@example.com"))
    r.get("/users", headers=admin)
    r.get("/users?fields=id,email&limit=2", headers=admin)
    r.get("/users", headers=editor)
    r.get("/users")
    r.get(f"/users/{EDITOR_ID}", headers=admin)
    r.get("/users/not-a-uuid", headers=admin)
    r.get(f"/users/{EDITOR_ID}", headers=editor)
    created = r.send("POST", "/users", headers=admin, json_body={
        "email": "made@example.com", "password": "made-password", "role": EDITOR_ROLE})
    made = created.text("data", "id")
    r.send("POST", "/users", headers=admin, json_body={"email": "made@example.com"})
    r.send("POST", "/users", headers=admin, json_body={"email": "bad"})
    r.send("POST", "/users", headers=editor, json_body={"email": "x@example.com"})
    r.send("PATCH", f"/users/{made}", headers=admin, json_body={"first_name": "Made"})
    r.send("PATCH", f"/users/{made}", headers=admin, json_body={"email": 5})
    r.send("PATCH", "/users/me", headers=editor, json_body={"last_name": "Edited"})
    r.send("PATCH", "/users/me", json_body={"last_name": "Nobody"})
    r.send("DELETE", f"/users/{made}", headers=admin)
    r.send("DELETE", f"/users/{made}", headers=admin)
    r.send("DELETE", f"/users/{EDITOR_ID}", headers=editor)
    r.get("/settings", headers=admin)
    r.get("/settings")
    r.send("PATCH", "/settings", headers=editor, json_body={"project_name": "x"})
    r.send("PATCH", "/settings", headers=admin, json_body={
        "public_registration": True, "public_registration_verify_email": True,
        "public_registration_role": EDITOR_ROLE})
    r.send("POST", "/users/invite", headers=admin,
           json_body={"email": "invited@example.com", "role": EDITOR_ROLE})
    r.send("POST", "/users/invite", headers=editor,
           json_body={"email": "invited2@example.com", "role": EDITOR_ROLE})
    r.send("POST", "/users/invite", headers=admin, json_body={"email": "bad"})
    invite = _mail_token(r, "invited@example.com")
    r.post("/users/invite/accept", {"token": "bogus", "password": "invited-pass"})
    r.post("/users/invite/accept", {"token": invite, "password": "invited-pass"})
    r.post("/users/invite/accept", {"token": invite, "password": "invited-pass"})
    _login(r, "invited@example.com", "invited-pass")


def _tfa(r: Recorder) -> None:
    user = _bearer(_login(r, "user@example.com"))
    r.post("/users/me/tfa/generate", {}, headers=user)
    r.post("/users/me/tfa/generate", {"password": "wrong"}, headers=user)
    generated = r.post("/users/me/tfa/generate", {"password": PASSWORD}, headers=user)
    secret = generated.text("data", "secret")
    r.post("/users/me/tfa/enable", {"secret": secret, "otp": "000000"}, headers=user)
    r.post("/users/me/tfa/enable", {"secret": secret}, headers=user)
    code = otp.code_at(secret, r.mock.clock.time()) if secret else ""
    r.post("/users/me/tfa/enable", {"secret": secret, "otp": code}, headers=user)
    r.post("/auth/login", {"email": "user@example.com", "password": PASSWORD})
    r.post("/users/me/tfa/disable", {"otp": code}, headers=user)
    r.post("/users/me/tfa/generate", {"password": PASSWORD})
    r.post("/users/me/tfa/disable", {"otp": "000000"}, headers=user)
    tfa = r.post("/auth/login", {"email": TFA, "password": PASSWORD, "otp": _otp(r, TFA)})
    tfa_bearer = _bearer(tfa.text("data", "access_token"))
    r.post("/users/me/tfa/disable", {"otp": "000000"}, headers=tfa_bearer)
    r.post("/users/me/tfa/disable", {"otp": _otp(r, TFA)}, headers=tfa_bearer)
    admin = _bearer(_login(r, ADMIN))
    r.post(f"/users/{TFA_ID}/tfa/disable", {}, headers=admin)
    r.post(f"/users/{TFA_ID}/tfa/disable", {}, headers=user)


def _registration(r: Recorder) -> None:
    r.post("/users/register", {})
    r.post("/users/register", {"email": "bad", "password": "x"})
    r.post("/users/register", {"email": "reg@example.com", "password": "reg-password",
                               "verification_url": "http://evil.example/verify"})
    r.post("/users/register", {"email": "reg@example.com", "password": "reg-password"})
    token = _mail_token(r, "reg@example.com")
    r.get("/users/register/verify-email?token=bogus")
    r.get(f"/users/register/verify-email?token={token}")
    r.get(f"/users/register/verify-email?token={token}")
    r.get("/users/register/verify-email")
    r.post("/auth/login", {"email": "reg@example.com", "password": "reg-password"})


def _items_graphql(r: Recorder) -> None:
    admin = _bearer(_login(r, ADMIN))
    r.get("/items/articles")
    r.get("/items/articles?fields=id,title&limit=1&sort=-id")
    r.get("/items/articles/1")
    r.get("/items/articles/3")
    r.get("/items/articles/3", headers=admin)
    r.get("/items/articles/99", headers=admin)
    r.get("/items/nothing", headers=admin)
    r.get("/server/health")
    r.get("/server/health", headers=admin)
    r.post("/graphql/system", {"query": LOGIN_GQL % (ADMIN, PASSWORD)})
    r.post("/graphql/system", {"query": LOGIN_GQL % (ADMIN, "wrong")})
    r.post("/graphql/system", {"query": "{ users_me { id email } }"}, headers=admin)
    r.post("/graphql/system", {"query": "{ users_me { id email } }"})
    r.post("/graphql/system", {"query": "{ nope }"})
    r.post("/graphql/system", {"query": "{ server_ping server_health }"})
    issued = r.post("/graphql/system", {"query": _mutation(
        "auth_login", {"email": EDITOR, "password": "new-password"},
        "access_token refresh_token expires")})
    refresh = issued.text("data", "auth_login", "refresh_token")
    moved = r.post("/graphql/system", {"query": _mutation(
        "auth_refresh", {"refresh_token": refresh}, "access_token refresh_token", "mode: json")})
    r.post("/graphql/system",
           {"query": _mutation("auth_refresh", {"refresh_token": refresh}, "access_token")})
    for token in (moved.text("data", "auth_refresh", "refresh_token"), "nope"):
        r.post("/graphql/system", {"query": _mutation("auth_logout", {"refresh_token": token})})
    r.post("/graphql/system", {"query": _mutation("auth_password_request", {"email": EDITOR})})
    for token in (_mail_token(r, EDITOR), "bad"):
        r.post("/graphql/system", {"query": _mutation(
            "auth_password_reset", {"token": token, "password": "gql-password"})})
    r.post("/graphql/system", {"query": "mutation {"})
    r.post("/graphql", {"query": LOGIN_GQL % (ADMIN, PASSWORD)})
    r.post("/graphql", {"query": "{ articles { id title } }"})
    r.post("/graphql", {"query": "{ articles { id title } }"}, headers=admin)
    r.post("/graphql", {"query": "{ bad query"})
    r.post("/graphql", {"query": "{ articles { id } }", "variables": "x"})
    r.post("/graphql", {})
    r.get("/graphql?query=%7B%20articles%20%7B%20id%20%7D%20%7D")
    r.send("PUT", "/graphql", json_body={"query": "{ articles { id } }"})
    r.send("POST", "/graphql", body="{", content_type="application/json")


def _http(r: Recorder) -> None:
    r.get("/")
    r.get("/nothing/here")
    r.get("/users/me/")
    r.get("/USERS/ME")
    r.get("/Auth")
    r.send("DELETE", "/auth/login")
    r.send("PUT", "/users/me", json_body={})
    r.send("HEAD", "/users/me")
    r.send("HEAD", "/server/health")
    r.send("OPTIONS", "/auth/login")
    r.send("OPTIONS", "/users/me")
    r.preflight("/auth/login")
    r.preflight("/users/me", method="GET", extra="authorization")
    r.send("POST", "/auth/login", headers={"Origin": "http://localhost:5173"},
           json_body={"email": ADMIN, "password": "wrong"})
    r.send("POST", "/auth/login", headers={"Origin": "http://evil.example"},
           json_body={"email": ADMIN, "password": "wrong"})
    r.send("POST", "/auth/login", body=b"\xff\xfe", content_type="application/json")
    r.send("GET", "/websocket")
    health = r.get("/server/health")
    r.get("/server/health", headers={"If-None-Match": health.header("ETag") or ""})
    # zlib's own gzip framing: gzip.compress writes another OS byte on Python 3.10
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = b'{"email": "admin@example.com", "password": "password"}'
    packed = packer.compress(body) + packer.flush()
    r.send("POST", "/auth/login", headers={"Content-Encoding": "gzip"}, body=packed,
           content_type="application/json")
    r.send("POST", "/auth/login", headers={"Content-Encoding": "br"}, body=packed,
           content_type="application/json")
    r.send("POST", "/auth/login", body="x" * (1024 * 1024 + 1), content_type="application/json")
    r.send("POST", "/auth/login", body='{"email": "a@b.co"}',
           content_type="application/json; charset=latin9")


def _control(r: Recorder) -> None:
    r.get("/__authmock__/health")
    r.get("/__authmock__/users")
    r.get("/__authmock__/sessions")
    r.get("/__authmock__/users/nobody@example.com/otp")
    catalogue = r.get("/__authmock__/faults/catalogue")
    names = catalogue.get("errors")
    first = names[0] if isinstance(names, list) and names else None
    error = first.get("name") if isinstance(first, dict) else first
    rule = r.post("/__authmock__/faults", {"match": {"path": "/auth/login", "method": "POST"},
                                           "error": error})
    r.post("/__authmock__/faults", {"match": {"path": "/x", "method": "BREW"}})
    r.get("/__authmock__/faults")
    r.post("/auth/login", {"email": ADMIN, "password": PASSWORD})
    r.get(f"/__authmock__/faults/{rule.get('id')}")
    r.send("DELETE", "/__authmock__/faults")
    r.post(f"/__authmock__/users/{ADMIN}/revoke-sessions", {})
    r.post(f"/__authmock__/users/{ADMIN}/status", {"status": "suspended"})
    r.post("/auth/login", {"email": ADMIN, "password": PASSWORD})
    r.get("/__authmock__/nothing")
