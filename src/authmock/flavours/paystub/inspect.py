"""What the inspector lists for Paystub: users with their role, and Sanctum tokens.

Sanctum keeps only the sha256 of a token, so the inspector shows its row, never the token.
Revoking deletes the row, as logout does: the next use is ``401 Unauthenticated.``
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from authmock.flavours.paystub import sanctum
from authmock.flavours.paystub.model import Seed
from authmock.flavours.paystub.routes import USERS
from authmock.inspector import SessionInfo, UserInfo

if TYPE_CHECKING:
    from authmock.mock import Mock

KIND = "Sanctum token"


def users(mock: Mock) -> list[UserInfo]:
    seed: Seed = mock.seed
    found: list[UserInfo] = []
    for user in mock.store.table(USERS).values():
        role = seed.roles.get(user["role_id"]) if user["role_id"] is not None else None
        found.append(UserInfo(
            email=user["email"],
            role=role["name"] if role else None,
            status=str(user["status"]),
            provider="local",
            totp=False,
        ))
    return found


def sessions(mock: Mock) -> list[SessionInfo]:
    people = mock.store.table(USERS)
    found: list[SessionInfo] = []
    for row in mock.store.table(sanctum.TABLE).values():
        user = people.get(row["user_id"])
        found.append(SessionInfo(
            id=row["token"][:16],
            user=user["email"] if user else None,
            kind=KIND,
            issued_at=float(row["created_at"]),
            expires_at=float(row["expires_at"]),
        ))
    return found


def revoke(mock: Mock, session_id: str) -> bool:
    for token_id, row in list(mock.store.table(sanctum.TABLE).items()):
        if row["token"][:16] == session_id:
            sanctum.revoke(mock, token_id)
            return True
    return False
