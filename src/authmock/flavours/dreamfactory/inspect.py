"""What the inspector lists for DreamFactory: users with their roles, and session tokens.

A DreamFactory session token is a JWT sent with the app's API key; the token map holds every
one issued and not yet blacklisted, expired ones included (tymon keeps them until logout).
Revoking one blacklists it as logout does, so its next use gets ``token_blacklisted``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from authmock.flavours.dreamfactory import lookups
from authmock.inspector import SessionInfo, UserInfo

if TYPE_CHECKING:
    from authmock.mock import Mock

KIND = "API key session"


def users(mock: Mock) -> list[UserInfo]:
    roles = lookups.table(mock, "roles")
    links = list(lookups.table(mock, "user_roles").values())
    found: list[UserInfo] = []
    for user in lookups.table(mock, "users").values():
        names = sorted({
            roles[link["role_id"]]["name"]
            for link in links
            if link["user_id"] == user["id"] and link["role_id"] in roles
        })
        if user["is_sys_admin"] and not names:
            role: str | None = "sys admin"
        else:
            role = ", ".join(names) or None
        provider = user.get("oauth_provider") or ("ldap" if user.get("adldap") else "local")
        found.append(UserInfo(
            email=user["email"],
            role=role,
            status="active" if user["is_active"] else "inactive",
            provider=str(provider),
            totp=False,
        ))
    return found


def sessions(mock: Mock) -> list[SessionInfo]:
    users = lookups.table(mock, "users")
    found: list[SessionInfo] = []
    for key, row in lookups.table(mock, "token_map").items():
        if mock.tokens.is_revoked(row["token"]):
            continue
        user = users.get(row["user_id"])
        found.append(SessionInfo(
            id=key[:16],
            user=user["email"] if user else None,
            kind=KIND,
            issued_at=float(row["iat"]),
            expires_at=float(row["exp"]),
            # the expire-sessions scenario expires a token before its exp
            expired=True if mock.tokens.is_expired(row["token"]) else None,
        ))
    return found


def revoke(mock: Mock, session_id: str) -> bool:
    token_map = lookups.table(mock, "token_map")
    for key, row in list(token_map.items()):
        if key[:16] == session_id:
            mock.tokens.revoke(row["token"])  # the blacklist logout writes to
            token_map.delete(key)
            return True
    return False
