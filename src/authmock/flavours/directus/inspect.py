"""What the inspector lists for Directus: users, and access tokens, refresh tokens, sessions.

Directus access tokens are stateless JWTs; the signer remembers the claims of every token it
signed since the last reset (by the token's sha256), and the ones carrying
``role``/``app_access``/``admin_access`` are access tokens. One with a ``session`` claim is a
session-mode cookie and stands for its ``directus_sessions`` row; the other rows are refresh
tokens.

Revoking does what ends each of them in Directus: a refresh token or a session loses its row
(as logout), so the next use gets ``INVALID_CREDENTIALS``. A plain access token has no row to
delete; it is refused from then on as a token Directus cannot verify (``INVALID_TOKEN``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authmock.flavours.directus.config import USER_STATUSES
from authmock.inspector import SessionInfo, UserInfo
from authmock.tokens import sha256_hex

if TYPE_CHECKING:
    from authmock.flavours.directus.sessions import DirectusService
    from authmock.mock import Mock

STATUSES = USER_STATUSES
_ACCESS_CLAIMS = ("id", "role", "app_access", "admin_access", "iat", "exp")


def _svc(mock: Mock) -> DirectusService:
    service: DirectusService = mock.app.extensions["authmock.directus"].svc
    return service


def _id(token: str) -> str:
    return sha256_hex(token)[:16]


def users(mock: Mock) -> list[UserInfo]:
    svc = _svc(mock)
    found: list[UserInfo] = []
    for user in svc.users.values():
        email = user.get("email")
        if not isinstance(email, str) or not email:
            continue
        role = svc.role(user.get("role"))
        found.append(UserInfo(
            email=email,
            role=role.name if role else None,
            status=str(user.get("status")),
            provider=str(user.get("provider")),
            totp=bool(user.get("tfa_secret")),
        ))
    return found


def _access_tokens(mock: Mock) -> list[tuple[str, dict[str, Any]]]:
    """(sha256, claims) of every access token signed and not revoked, oldest first."""
    return [
        (digest, claims)
        for digest, claims in mock.tokens.issued()
        if all(key in claims for key in _ACCESS_CLAIMS)
        and not mock.tokens.is_revoked_digest(digest)
    ]


def _email(svc: DirectusService, user_id: Any) -> str | None:
    user = svc.users.get(user_id) if isinstance(user_id, str) else None
    email = user.get("email") if user else None
    return email if isinstance(email, str) else None


def sessions(mock: Mock) -> list[SessionInfo]:
    svc = _svc(mock)
    now = svc.now
    found: list[SessionInfo] = []
    in_cookies: set[str] = set()
    for digest, claims in _access_tokens(mock):
        session = claims.get("session")
        row = None
        if session is not None:
            row = svc.sessions.get(session) if isinstance(session, str) else None
            if row is None:
                continue  # logged out: the cookie is no session any more
            in_cookies.add(session)
        expired = now >= claims["exp"] or mock.tokens.is_expired_digest(digest)
        found.append(SessionInfo(
            id=digest[:16],
            user=_email(svc, claims.get("id")),
            kind="access" if session is None else "session",
            issued_at=float(claims["iat"]),
            expires_at=float(claims["exp"]),
            expired=expired or (row is not None and row["expires"] < now),
        ))
    refresh_ttl = svc.settings.refresh_ttl_ms / 1000.0
    for key, row in svc.sessions.items():
        if key in in_cookies:
            continue
        found.append(SessionInfo(
            id=_id(key),
            user=_email(svc, row["user"]),
            kind="refresh",
            issued_at=row["expires"] - refresh_ttl,
            expires_at=row["expires"],
            expired=row["expires"] < now,
        ))
    return found


def revoke(mock: Mock, session_id: str) -> bool:
    svc = _svc(mock)
    for digest, claims in _access_tokens(mock):
        if digest[:16] != session_id:
            continue
        session = claims.get("session")
        if isinstance(session, str) and session in svc.sessions:
            svc.logout(session)  # the session cookie: its row goes, as on logout
        else:
            mock.tokens.revoke_digest(digest)
        return True
    for key in list(svc.sessions.keys()):
        if _id(key) == session_id:
            svc.logout(key)
            return True
    return False
