"""The Paystub script: /admin/auth/*, the guarded endpoints, overrides, limits, control API."""

from __future__ import annotations

from tests.recorded.recorder import Recorder

OWNER = "owner@example.com"
SUPPORT = "support@example.com"
CUSTOMER = "customer@example.com"
SUSPENDED = "suspended@example.com"
PASSWORD = "your-password"
GUARDED = ("/admin/dashboard/stats", "/admin/users", "/admin/users/1", "/admin/sites",
           "/admin/roles")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(r: Recorder, email: str, password: str = PASSWORD) -> str:
    return r.post("/admin/auth/login", {"email": email, "password": password}).text(
        "data", "token", "access_token")


def run(r: Recorder) -> None:
    """Success first where one exists, then the usual refusals."""
    _login_refusals(r)
    _tokens(r)
    _guarded(r)
    _reset(r)
    _http(r)
    _control(r)


def _login_refusals(r: Recorder) -> None:
    r.post("/admin/auth/login", {})
    r.post("/admin/auth/login", {"email": "not-an-email", "password": 5})
    r.post("/admin/auth/login", {"email": OWNER, "password": "wrong"})
    r.post("/admin/auth/login", {"email": CUSTOMER, "password": PASSWORD})
    r.post("/admin/auth/login", {"email": SUSPENDED, "password": PASSWORD})
    r.send("POST", "/admin/auth/login", body="{not json", content_type="application/json")
    r.send("POST", "/admin/auth/login", body=f"email={OWNER}&password={PASSWORD}",
           content_type="application/x-www-form-urlencoded")
    r.send("POST", "/admin/auth/login", body="email", content_type="text/plain")
    r.send("POST", "/admin/auth/login", body=b"\xff\xfe", content_type="application/json")
    r.send("GET", "/admin/auth/login")
    r.send("PUT", "/admin/auth/login", json_body={"email": OWNER, "password": PASSWORD})
    for _ in range(5):  # the throttle counts failures per e-mail and address
        r.post("/admin/auth/login", {"email": SUPPORT, "password": "wrong"})
    r.post("/admin/auth/login", {"email": SUPPORT, "password": PASSWORD})
    r.advance("61s")
    r.post("/admin/auth/login", {"email": SUPPORT, "password": PASSWORD})


def _tokens(r: Recorder) -> None:
    r.get("/admin/auth/me")
    r.get("/admin/auth/me", headers=_bearer("1|forged-token"))
    r.get("/admin/auth/me", headers=_bearer(""))
    r.get("/admin/auth/me", headers={"Authorization": "Basic b3duZXI6cGFzcw=="})
    token = _login(r, OWNER)
    r.get("/admin/auth/me", headers=_bearer(token))
    r.get("/admin/auth/me", headers={"Authorization": f"bearer {token}"})
    refreshed = r.post("/admin/auth/refresh", headers=_bearer(token))
    r.get("/admin/auth/me", headers=_bearer(token))  # the old token is gone
    token = refreshed.text("data", "token", "access_token")
    r.post("/admin/auth/refresh")
    r.post("/admin/auth/logout", headers=_bearer(token))
    r.post("/admin/auth/logout", headers=_bearer(token))
    r.get("/admin/auth/me", headers=_bearer(token))
    late = _login(r, OWNER)
    r.advance("2h")
    r.get("/admin/auth/me", headers=_bearer(late))
    r.advance("400d")
    r.get("/admin/auth/me", headers=_bearer(late))


def _guarded(r: Recorder) -> None:
    owner = _bearer(_login(r, OWNER))
    support = _bearer(_login(r, SUPPORT))
    for path in GUARDED:
        r.get(path, headers=owner)
    for path in GUARDED:
        r.get(path, headers=support)
    r.get("/admin/users/abc", headers=owner)
    r.get("/admin/users/1/", headers=owner)
    r.get("/admin//users", headers=owner)
    r.get("/Admin/Users", headers=owner)
    r.get("/admin/users")
    r.send("DELETE", "/admin/users/1", headers=owner)
    r.send("POST", "/admin/users", headers=owner, json_body={})
    r.send("HEAD", "/admin/users", headers=owner)
    r.send("OPTIONS", "/admin/users", headers=owner)
    r.send("POST", "/admin/auth/me", headers=owner, json_body={"_method": "GET"})
    r.send("POST", "/admin/auth/me", headers={**owner, "X-HTTP-Method-Override": "GET"})
    r.send("POST", "/admin/auth/login?_method=DELETE")


def _reset(r: Recorder) -> None:
    r.post("/admin/auth/forgot-password", {})
    r.post("/admin/auth/forgot-password", {"email": "nobody@example.com"})
    r.post("/admin/auth/forgot-password", {"email": CUSTOMER})
    r.post("/admin/auth/forgot-password", {"email": OWNER})
    r.post("/admin/auth/forgot-password", {"email": OWNER})  # throttled
    r.get(f"/__authmock__/mailbox?to={OWNER}")
    last = r.mock.mailbox.last(OWNER)
    token = last.token if last is not None and last.token else ""
    new = "new-password-1"
    r.post("/admin/auth/reset-password", {})
    r.post("/admin/auth/reset-password", {"token": "wrong", "email": OWNER, "password": new,
                                          "password_confirmation": new})
    r.post("/admin/auth/reset-password", {"token": token, "email": OWNER, "password": new,
                                          "password_confirmation": "different"})
    r.post("/admin/auth/reset-password", {"token": token, "email": OWNER, "password": new,
                                          "password_confirmation": new})
    r.post("/admin/auth/reset-password", {"token": token, "email": OWNER, "password": new,
                                          "password_confirmation": new})
    r.post("/admin/auth/login", {"email": OWNER, "password": PASSWORD})
    _login(r, OWNER, new)
    r.post("/admin/auth/forgot-password", {"email": SUPPORT})
    r.advance("61m")
    last = r.mock.mailbox.last(SUPPORT)
    late = last.token if last is not None and last.token else ""
    r.post("/admin/auth/reset-password", {"token": late, "email": SUPPORT, "password": new,
                                          "password_confirmation": new})


def _http(r: Recorder) -> None:
    r.get("/")
    r.get("/nothing/here")
    r.get("/admin/auth/me/")
    r.get("/admin/auth/ME")
    r.send("HEAD", "/admin/auth/me")
    r.send("OPTIONS", "/admin/auth/login")
    r.preflight("/admin/auth/login")
    r.preflight("/admin/auth/me", method="GET", extra="authorization")
    r.send("POST", "/admin/auth/login", headers={"Origin": "http://localhost:5173"},
           json_body={"email": OWNER, "password": "wrong"})
    r.send("POST", "/admin/auth/login", headers={"Origin": "http://evil.example"},
           json_body={"email": OWNER, "password": "wrong"})
    r.send("POST", "/admin/auth/login", body="[" * 600 + "]" * 600,
           content_type="application/json")
    r.send("POST", "/admin/auth/login", body='{"email": "a\\ud800@example.com"}',
           content_type="application/json")
    r.send("POST", "/admin/auth/login", body="x" * (8 * 1024 * 1024 + 1),
           content_type="application/json")
    r.send("POST", "/admin/auth/login", headers={"Accept": "text/html"},
           json_body={"email": OWNER, "password": "wrong"})


def _control(r: Recorder) -> None:
    r.get("/__authmock__/health")
    r.get("/__authmock__/users")
    r.get("/__authmock__/sessions")
    catalogue = r.get("/__authmock__/faults/catalogue")
    names = catalogue.get("errors")
    first = names[0] if isinstance(names, list) and names else None
    error = first.get("name") if isinstance(first, dict) else first
    rule = r.post("/__authmock__/faults", {"match": {"path": "/admin/auth/login"},
                                           "error": error})
    r.post("/__authmock__/faults", {"match": {}})
    r.get("/__authmock__/faults")
    r.post("/admin/auth/login", {"email": OWNER, "password": "new-password-1"})
    r.get(f"/__authmock__/faults/{rule.get('id')}")
    r.send("DELETE", f"/__authmock__/faults/{rule.get('id')}")
    r.post("/__authmock__/users/owner@example.com/revoke-sessions", {})
    r.post("/admin/auth/login", {"email": OWNER, "password": "new-password-1"})
    r.post("/__authmock__/users/nobody@example.com/status", {"status": "Suspended"})
    r.get("/__authmock__/nothing")
