"""The DreamFactory script: sessions, credentials, AccessCheck, accounts, listings, data."""

from __future__ import annotations

import base64

from tests.recorded.recorder import Recorder

ADMIN = "admin@example.com"
USER = "user@example.com"
INACTIVE = "inactive@example.com"
PASSWORD = "yourpassword"
FRONTEND_KEY = "fd163cde17b13893ac36debe5a0a694313592f4032638457f65dfb04df4f7f89"
ADMIN_KEY = "6498a8ad1beb9d84d63035c5d1120c007fad6de706734db9689f8996707e0f7d"
FORGED = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def _key(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"X-DreamFactory-API-Key": FRONTEND_KEY, **(extra or {})}


def _tok(token: str, key: bool = True) -> dict[str, str]:
    headers = {"X-DreamFactory-Session-Token": token}
    return _key(headers) if key else headers


def run(r: Recorder) -> None:
    """Every route of /api/v2, success first where one exists, then the usual refusals."""
    _sessions(r)
    _credentials(r)
    _listings(r)
    _accounts(r)
    _misc(r)
    _control(r)


def _sessions(r: Recorder) -> None:
    r.get("/api/v2")
    r.get("/api/v2/user/session")
    r.send("GET", "/api/v2/user/session", headers=_key())
    r.send("POST", "/api/v2/user/session", headers=_key(),
           json_body={"email": USER, "password": "wrong"})
    r.send("POST", "/api/v2/user/session", headers=_key(), json_body={"email": USER})
    r.send("POST", "/api/v2/user/session", headers=_key(),
           json_body={"email": INACTIVE, "password": PASSWORD})
    r.send("POST", "/api/v2/user/session", headers=_key(), body="{not json",
           content_type="application/json")
    r.send("POST", "/api/v2/user/session", headers=_key(), body=f"email={USER}",
           content_type="text/plain")
    r.send("POST", "/api/v2/user/session", headers=_key(),
           body=f"email={USER}&password={PASSWORD}",
           content_type="application/x-www-form-urlencoded")
    user = r.send("POST", "/api/v2/user/session", headers=_key(),
                  json_body={"email": USER, "password": PASSWORD})
    token = user.text("session_token")
    first = r.send("GET", "/api/v2/user/session", headers=_tok(token))
    stale, token = token, first.text("session_token") or token  # docs: GET rotates the token
    r.send("GET", "/api/v2/user/session", headers=_tok(stale))
    token = r.send("GET", "/api/v2/user/session", headers=_tok(token)).text(
        "session_token") or token
    r.send("PATCH", "/api/v2/user/session", headers=_tok(token))
    refreshed = r.send("PUT", "/api/v2/user/session", headers=_tok(token))
    r.send("GET", "/api/v2/user/session", headers=_tok(token))  # the old token: blacklisted
    token = refreshed.text("session_token") or token
    r.send("GET", "/api/v2/user/session?service=nope", headers=_tok(token))
    r.send("POST", "/api/v2/user/session", headers=_key(),
           json_body={"email": USER, "password": PASSWORD, "service": "db"})
    r.post("/api/v2/system/admin/session", {"email": ADMIN, "password": PASSWORD})
    atoken = _admin_token(r)
    r.get("/api/v2/system/admin/session", headers=_admin(atoken))
    r.get("/api/v2/system/admin/session", headers=_tok(token))
    r.get("/api/v2/system/admin/session")
    r.post("/api/v2/system/admin/session", {"email": USER, "password": PASSWORD})
    r.send("POST", "/api/v2/admin/session", headers=_key())
    r.send("GET", "/api/v2/user/session", headers={"Authorization": f"Bearer {token}"})
    r.send("GET", f"/api/v2/user/session?api_key={FRONTEND_KEY}&session_token={token}")
    r.send("DELETE", "/api/v2/user/session", headers=_tok(token))
    r.send("GET", "/api/v2/user/session", headers=_tok(token))
    r.send("DELETE", "/api/v2/user/session", headers=_key())
    for bad in (FORGED, "abc", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."):
        r.send("GET", "/api/v2/user/session", headers=_tok(bad))
    # expiry: a fresh login, the clock moves past the TTL, then refresh inside the window
    late = r.send("POST", "/api/v2/user/session", headers=_key(),
                  json_body={"email": USER, "password": PASSWORD}).text("session_token")
    r.advance("25h")
    r.send("GET", "/api/v2/user/session", headers=_tok(late))
    r.send("PUT", "/api/v2/user/session", headers=_tok(late))
    r.advance("15d")
    r.send("PUT", "/api/v2/user/session", headers=_tok(late))
    r.send("GET", "/api/v2/system/admin/session", headers=_admin(atoken))


def _credentials(r: Recorder) -> None:
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    wrong = base64.b64encode(f"{USER}:nope".encode()).decode()
    inactive = base64.b64encode(f"{INACTIVE}:{PASSWORD}".encode()).decode()
    r.send("GET", "/api/v2/db/_table/contacts", headers=_key({"Authorization": f"Basic {basic}"}))
    r.send("GET", "/api/v2/db/_table/contacts", headers=_key({"Authorization": f"Basic {wrong}"}))
    r.send("GET", "/api/v2/db/_table/contacts",
           headers=_key({"Authorization": f"Basic {inactive}"}))
    r.send("GET", "/api/v2/db/_table/contacts", headers={"X-DreamFactory-API-Key": "unknown"})
    r.send("GET", "/api/v2/db/_table/contacts", headers=_key())
    r.send("POST", "/api/v2/user/session", headers=_key({"X-HTTP-Method": "FOO"}))
    r.send("POST", "/api/v2/user/session?method=DELETE", headers=_key())
    r.send("POST", "/api/v2/user/session", headers=_key({"X-HTTP-Method-Override": "MERGE"}))


def _admin(token: str) -> dict[str, str]:
    return {"X-DreamFactory-API-Key": ADMIN_KEY, "X-DreamFactory-Session-Token": token}


def _admin_token(r: Recorder) -> str:
    return r.post("/api/v2/system/admin/session", {"email": ADMIN, "password": PASSWORD},
                  headers={"X-DreamFactory-API-Key": ADMIN_KEY}).text("session_token")


def _listings(r: Recorder) -> None:
    admin = _admin(_admin_token(r))
    for name in ("app", "service", "role", "user", "admin", "environment"):
        r.get(f"/api/v2/system/{name}", headers=admin)
    r.get("/api/v2/system/user/2", headers=admin)
    r.get("/api/v2/system/user/99", headers=admin)
    r.get("/api/v2/system/user?fields=id,email&include_count=true&limit=1&offset=1",
          headers=admin)
    r.get("/api/v2/system/user?count_only=true", headers=admin)
    r.get("/api/v2/system/role/1?related=role_service_access_by_role_id", headers=admin)
    r.get("/api/v2/system/app?ids=1,4&wrap=false", headers=admin)
    r.get("/api/v2/system/nothing", headers=admin)
    r.get("/api/v2/system", headers=admin)
    r.get("/api/v2/nosuch", headers=admin)
    r.get("/api/v2/db/_table", headers=admin)
    r.get("/api/v2/db/_table/contacts", headers=admin)
    r.get("/api/v2/db/_table/contacts/2", headers=admin)
    r.get("/api/v2/db/_table/missing", headers=admin)
    r.send("POST", "/api/v2/db/_table/contacts", headers=admin,
           json_body={"resource": [{"first_name": "Edsger", "email": "ed@example.com", "x": 1}]})
    r.send("POST", "/api/v2/db/_table/contacts", headers=admin,
           body="first_name,last_name\nBarbara,Liskov", content_type="text/csv")
    r.send("POST", "/api/v2/db/_table/contacts", headers=admin, body="first_name\n",
           content_type="text/csv")
    r.send("POST", "/api/v2/db/_table/contacts", headers=admin, body="\x01\x02",
           content_type="application/octet-stream")
    r.get("/api/v2/files", headers=admin)
    r.get("/api/v2/files/x", headers=admin)
    user = _tok(r.send("POST", "/api/v2/user/session", headers=_key(),
                       json_body={"email": USER, "password": PASSWORD}).text("session_token"))
    r.get("/api/v2/db/_table/contacts?limit=2", headers=user)
    r.send("DELETE", "/api/v2/db/_table/contacts/1", headers=user)
    r.send("HEAD", "/api/v2/db/_table/contacts", headers=user)
    r.get("/api/v2/system/user", headers=user)
    r.get("/api/v2/user", headers=user)
    r.send("PATCH", "/api/v2/system/user/2", headers=admin, json_body={"phone": "555"})
    r.send("PUT", "/api/v2/system/user/2", headers=admin, json_body={"password": "short"})
    r.send("PATCH", "/api/v2/system/user/3", headers=admin, json_body={"is_active": True})
    r.send("DELETE", "/api/v2/system/user/3", headers=admin)
    r.get("/api/v2/system/user/3", headers=admin)


def _accounts(r: Recorder) -> None:
    user = r.send("POST", "/api/v2/user/session", headers=_key(),
                  json_body={"email": USER, "password": PASSWORD}).text("session_token")
    r.send("GET", "/api/v2/user/profile", headers=_tok(user))
    r.send("POST", "/api/v2/user/profile", headers=_tok(user), json_body={"first_name": "Janet"})
    r.send("POST", "/api/v2/user/profile", headers=_tok(user), json_body={"email": "j@x.com"})
    r.send("POST", "/api/v2/user/password", headers=_tok(user), json_body={"old_password": "x"})
    r.send("POST", "/api/v2/user/password", headers=_tok(user),
           json_body={"old_password": "wrong", "new_password": "another-password"})
    changed = r.send("POST", "/api/v2/user/password?login=true", headers=_tok(user),
                     json_body={"old_password": PASSWORD, "new_password": "second-password1"})
    r.send("GET", "/api/v2/user/profile", headers=_tok(user))
    r.send("GET", "/api/v2/user/profile", headers=_tok(changed.text("session_token")))
    # reset through the mailbox
    r.send("POST", "/api/v2/user/password?reset=true", headers=_key(), json_body={"email": USER})
    r.send("POST", "/api/v2/user/password?reset=true", headers=_key(),
           json_body={"email": "nobody@example.com"})
    r.send("POST", "/api/v2/user/password?reset=true", headers=_key(), json_body={"email": ADMIN})
    r.get("/__authmock__/mailbox")
    last = r.mock.mailbox.last(USER)
    code = last.token if last is not None and last.token else ""
    r.send("POST", "/api/v2/user/password", headers=_key(),
           json_body={"email": USER, "code": "WRONGCODE", "new_password": "third-password12"})
    r.send("POST", "/api/v2/user/password", headers=_key(),
           json_body={"email": USER, "code": code})
    r.send("POST", "/api/v2/user/password?login=true", headers=_key(),
           json_body={"email": USER, "code": code, "new_password": "third-password12"})
    r.send("POST", "/api/v2/user/password", headers=_key(),
           json_body={"email": USER, "code": code, "new_password": "third-password12"})
    r.post("/api/v2/system/admin/password?reset=true", {"email": ADMIN})
    r.post("/api/v2/system/admin/password?reset=true", {"email": USER})
    r.post("/api/v2/system/admin/password", {})
    admin = _admin(_admin_token(r))
    r.get("/api/v2/system/admin/profile", headers=admin)
    r.send("POST", "/api/v2/system/admin/profile", headers=admin, json_body={"phone": "1"})
    r.send("POST", "/api/v2/user/register", headers=_key(), json_body={"email": "not-an-email"})
    r.send("POST", "/api/v2/user/register?login=true", headers=_key(),
           json_body={"email": "new@example.com", "new_password": "a-long-password-1"})
    r.send("POST", "/api/v2/user/register", headers=_key(), body="{bad",
           content_type="application/json")


def _misc(r: Recorder) -> None:
    r.get("/")
    r.get("/nothing/here")
    r.get("/api/v2/user/session/")
    r.get("/API/v2/user/session")
    r.get("/api/v2/User/Session", headers=_key())
    r.send("PROPFIND", "/api/v2/user/session", headers=_key())
    r.send("HEAD", "/api/v2/user/session", headers=_key())
    r.send("OPTIONS", "/api/v2/user/session", headers=_key())
    r.preflight("/api/v2/user/session", extra="content-type,x-dreamfactory-api-key")
    r.send("POST", "/api/v2/user/session", headers=_key({"Origin": "http://localhost:5173"}),
           json_body={"email": USER, "password": "nope"})
    r.send("POST", "/api/v2/user/session", headers=_key(), body=b"\xff\xfe",
           content_type="application/json")
    r.send("POST", "/api/v2/user/session", headers=_key(), body="x" * (1024 * 1024 + 1),
           content_type="application/json")


def _control(r: Recorder) -> None:
    r.get("/__authmock__/health")
    r.get("/__authmock__/users")
    r.get("/__authmock__/sessions")
    catalogue = r.get("/__authmock__/faults/catalogue")
    names = catalogue.get("errors")
    first = names[0] if isinstance(names, list) and names else None
    error = first.get("name") if isinstance(first, dict) else first
    rule = r.post("/__authmock__/faults", {"match": {"path": "/api/v2/user/session",
                                                     "method": "POST"}, "error": error})
    r.post("/__authmock__/faults", {"match": {"path": "/x"}, "error": "no-such-error"})
    r.get("/__authmock__/faults")
    r.send("POST", "/api/v2/user/session", headers=_key(),
           json_body={"email": USER, "password": "third-password12"})
    r.get(f"/__authmock__/faults/{rule.get('id')}")
    r.send("DELETE", "/__authmock__/faults")
    r.get("/__authmock__/faults/99")
    r.post("/__authmock__/clock", {"advance": "bogus"})
    r.get("/__authmock__/nothing")
