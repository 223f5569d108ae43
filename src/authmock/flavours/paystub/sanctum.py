"""Sanctum personal access tokens: ``{id}|{40 alphanumerics}{crc32b}``, stored as sha256.

Reproduces Sanctum 3.3+/4.x: ``HasApiTokens::createToken`` (format, sha256 of the part after
``|``), ``Request::bearerToken`` (text after the last "Bearer ", up to a comma),
``Guard::isValidBearerToken`` (digits before ``|``, something after) and
``PersonalAccessToken::findToken`` (by id then ``hash_equals``; a value without ``|`` is looked up
by its own sha256). A token is valid while ``expires_at`` is not in the past (Carbon isPast).
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from authmock.flavours.paystub.model import timestamp_at
from authmock.tokens import constant_time_equals, sha256_hex

if TYPE_CHECKING:
    from authmock.mock import Mock

TABLE = "paystub_tokens"
LIFETIME_SECONDS = 24 * 3600  # "Tokens expire after 24 hours" (seed page)
TOKEN_TYPE = "Bearer"


def make_secret(entropy: str) -> str:
    """The part after ``|``: entropy plus its crc32b, as PHP ``hash('crc32b', ...)`` prints it."""
    return entropy + format(zlib.crc32(entropy.encode("ascii")) & 0xFFFFFFFF, "08x")


def issue(mock: Mock, user_id: int) -> dict[str, Any]:
    """Create a token row and return the ``data.token`` object the seed shows."""
    token_id = mock.store.next_id(TABLE)
    secret = make_secret(mock.rng.alnum(40))
    issued = int(mock.clock.time())  # the database keeps whole seconds
    expires = issued + LIFETIME_SECONDS
    mock.store.table(TABLE).put(
        token_id,
        {
            "id": token_id,
            "user_id": user_id,
            "token": sha256_hex(secret),
            "abilities": ["*"],
            "created_at": issued,
            "expires_at": expires,
        },
    )
    return {
        "access_token": f"{token_id}|{secret}",
        "token_type": TOKEN_TYPE,
        "expires_at": timestamp_at(expires),
    }


def bearer_token(header: str | None) -> str | None:
    """Laravel's ``Request::bearerToken()``, on the value PHP gets: the web server in front of
    it drops the white space around a header value (RFC 9110), Werkzeug does not."""
    header = (header or "").strip(" \t")
    if not header:
        return None
    position = header.lower().rfind("bearer ")
    if position == -1:
        return None
    value = header[position + 7 :]
    return value.split(",", 1)[0] if "," in value else value


def find(mock: Mock, plain: str | None) -> dict[str, Any] | None:
    """The valid, unexpired token row for a Bearer value, or None (→ 401)."""
    if not plain or not plain.isascii():  # every token we issue is ASCII
        return None
    table = mock.store.table(TABLE)
    row: dict[str, Any] | None
    if "|" in plain:
        token_id, secret = plain.split("|", 1)
        if not (token_id.isascii() and token_id.isdigit()) or not secret:
            return None
        row = table.get(int(token_id))
        if row is None or not constant_time_equals(row["token"], sha256_hex(secret)):
            return None
    else:
        digest = sha256_hex(plain)
        row = table.find(lambda r: constant_time_equals(r["token"], digest))
    if row is None or mock.clock.time() >= row["expires_at"]:
        return None
    return row


def revoke(mock: Mock, token_id: int) -> None:
    mock.store.table(TABLE).delete(token_id)


def revoke_all(mock: Mock, user_id: int) -> None:
    table = mock.store.table(TABLE)
    for token_id in [k for k, row in table.items() if row["user_id"] == user_id]:
        table.delete(token_id)
