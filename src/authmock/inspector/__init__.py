"""The inspector: a page at ``GET /__authmock__/`` and the two lists it needs.

The page is hand-written HTML, CSS and JavaScript in ``static/`` (no build step, nothing
fetched from elsewhere, so it works offline) and calls nothing but the control API: whatever
it shows or does can be scripted with the same requests. Users and sessions are the one thing
only a flavour knows, so it contributes them through ``Flavour.inspect_users``,
``inspect_sessions`` and ``revoke_session``; the core turns them into JSON on the mock clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import Blueprint, Response
from werkzeug.exceptions import NotFound

from authmock.clock import isoformat
from authmock.control import _error, _json
from authmock.mock import current_mock

STATIC = Path(__file__).parent / "static"
#: every file the page loads; anything else under /__authmock__/inspector/ is a 404
ASSETS = {
    "index.html": "text/html",
    "inspector.css": "text/css",
    "inspector.js": "text/javascript",
}


@dataclass(frozen=True)
class UserInfo:
    """One fixture user as the inspector lists it."""

    email: str
    role: str | None
    status: str
    provider: str
    totp: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "role": self.role,
            "status": self.status,
            "provider": self.provider,
            "totp": self.totp,
        }


@dataclass(frozen=True)
class SessionInfo:
    """A session or token the product would still recognise (live, or expired but known).

    ``id`` is opaque and not the token itself; ``expired`` is None to judge by ``expires_at``
    on the mock clock, or the flavour's own verdict (a session row that ran out first).
    """

    id: str
    user: str | None
    kind: str
    issued_at: float
    expires_at: float | None
    expired: bool | None = None

    def to_json(self, now: float) -> dict[str, Any]:
        expired = self.expired
        if expired is None:
            expired = self.expires_at is not None and now >= self.expires_at
        return {
            "id": self.id,
            "user": self.user,
            "kind": self.kind,
            "issued_at": _iso(self.issued_at),
            "expires_at": None if self.expires_at is None else _iso(self.expires_at),
            "expired": expired,
        }


def _iso(seconds: float) -> str:
    return isoformat(datetime.fromtimestamp(seconds, tz=timezone.utc))


#: ``/users`` and ``/sessions``: nested in the control blueprint (``control_blueprint()``), so
#: its token check applies; per-app state from ``current_mock()``.
api = Blueprint("inspect", __name__)


@api.get("/users")
def users() -> Response:
    mock = current_mock()
    return _json(
        {
            "users": [user.to_json() for user in mock.flavour.inspect_users(mock)],
            "statuses": list(mock.flavour.user_statuses),
        }
    )


@api.get("/sessions")
def sessions() -> Response:
    mock = current_mock()
    now = mock.clock.time()
    found = sorted(mock.flavour.inspect_sessions(mock), key=lambda s: s.issued_at, reverse=True)
    return _json({"sessions": [s.to_json(now) for s in found]})


@api.delete("/sessions/<path:session_id>")
def revoke(session_id: str) -> Response:
    mock = current_mock()
    if not mock.flavour.revoke_session(mock, session_id):
        return _error(404, f"no session or token with id {session_id!r} (see GET sessions)")
    return Response(status=204)


def page_blueprint() -> Blueprint:
    """The page and its files. Outside the control token check: they hold no data, and a
    browser cannot send the token on navigation (the page asks for it instead)."""
    bp = Blueprint("inspector_page", __name__)

    def serve(name: str) -> Response:
        mimetype = ASSETS.get(name)
        if mimetype is None:
            raise NotFound()
        # read on each request (a few kB): no open file left to the WSGI server to close
        response = Response((STATIC / name).read_bytes(), 200, mimetype=mimetype)
        response.headers["Cache-Control"] = "no-cache"
        return response

    @bp.get("/")
    def page() -> Response:
        return serve("index.html")

    @bp.get("/inspector/<name>")
    def asset(name: str) -> Response:
        return serve(name)

    return bp
