"""The frames of Directus's WebSocket servers: zod-checked messages, errors, auth replies.

Read from Directus 11.17.4's ``websocket/messages.ts`` (the zod schemas and their wording),
``errors.ts`` (``{"type","status":"error","error":{"code","message"},"uid"?}``) and
``authenticate.ts``; plus the token-expiry and cookie reads of ``controllers/base.ts``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from authmock.flavours.directus import errors as E
from authmock.tokens import decode_unverified

#: graphql-ws's protocol name and close codes
GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"
SUBPROTOCOL_NOT_ACCEPTABLE = E.GRAPHQL_WS_SUBPROTOCOL_NOT_ACCEPTABLE
UNAUTHORIZED = E.GRAPHQL_WS_UNAUTHORIZED
TOO_MANY_INITS = E.GRAPHQL_WS_TOO_MANY_INITS
#: ``ws.close()`` without a code: an empty close frame (the peer sees 1005)
NO_STATUS = 1005
#: zod 4's default e-mail pattern (z.string().email())
ZOD_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$"
)

class AuthFailed(Exception):
    """``authenticateConnection``'s single failure (whatever went wrong inside)."""


def ws_error(kind: str, code: str, message: str, uid: Any = None) -> str:
    """``WebSocketError.toMessage()``."""
    out: dict[str, Any] = {
        "type": kind,
        "status": "error",
        "error": {"code": code, "message": message},
    }
    if uid is not None:
        out["uid"] = uid
    return dumps(out)


def dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def fmt(kind: str, data: dict[str, Any] | None = None, uid: Any = None) -> str:
    """``fmtMessage``: type, the data's keys, then uid."""
    out: dict[str, Any] = {"type": kind, **(data or {})}
    if uid is not None:
        out["uid"] = uid
    return dumps(out)


def message_type(message: Any) -> str:
    """``getMessageType``."""
    if not isinstance(message, dict):
        return ""
    kind = message.get("type")
    if kind is None:
        return "undefined" if "type" not in message else "null"
    if isinstance(kind, bool):
        return "true" if kind else "false"
    return kind if isinstance(kind, str) else json.dumps(kind)


def is_uid(message: dict[str, Any]) -> bool:
    uid = message.get("uid")
    return "uid" not in message or (
        isinstance(uid, (str, int, float)) and not isinstance(uid, bool)
    )


def is_ws_message(message: Any) -> bool:
    """``WebSocketMessage``: an object whose ``type`` is a string, ``uid`` a string or number."""
    return isinstance(message, dict) and isinstance(message.get("type"), str) and is_uid(message)


def is_auth_message(message: Any) -> bool:
    """``WebSocketAuthMessage``: type ``auth`` and one of the three credential shapes."""
    if not is_ws_message(message) or message["type"] != "auth":
        return False
    email, password = message.get("email"), message.get("password")
    if isinstance(email, str) and ZOD_EMAIL.match(email) and isinstance(password, str):
        return True
    return isinstance(message.get("access_token"), str) or isinstance(
        message.get("refresh_token"), str
    )


def zod_received(value: Any, present: bool = True) -> str:
    """zod 4's name for the type it got."""
    if not present:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def zod_type_error(message: Any) -> str:
    """The ZodError Directus forwards for a parsed message that is no WebSocketMessage."""
    if not isinstance(message, dict):
        return E.msg_zod_expected("object", zod_received(message), None)
    if not isinstance(message.get("type"), str):
        return E.msg_zod_expected(
            "string", zod_received(message.get("type"), "type" in message), "type")
    return E.msg_zod_expected("string", zod_received(message.get("uid")), "uid")


def parse_json(text: str) -> Any:
    """``parseJSON``; raises ValueError as JSON.parse throws."""
    return json.loads(text)




def expires_at(token: str) -> float | None:
    """``getExpiresAtForToken``: the ``exp`` claim of anything that decodes as a JWT."""
    decoded = decode_unverified(token)
    if not isinstance(decoded, tuple):
        return None
    exp = decoded[1].get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or not exp:
        return None
    return float(exp)


def cookie_value(header: str | None, name: str) -> str | None:
    if not header:
        return None
    from http.cookies import SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header: the cookie package would skip it too
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None




def query_fields(query: Any) -> list[str] | None:
    """The plain ``fields`` of a subscription's query (``"id,status"`` or a list); None: all."""
    if not isinstance(query, dict) or query.get("fields") is None:
        return None
    raw = query["fields"]
    parts = (
        raw.split(",")
        if isinstance(raw, str)
        else [str(f) for f in raw]
        if isinstance(raw, list)
        else []
    )
    names = [p.strip() for p in parts if p.strip()]
    return None if not names or "*" in names else names


def auth_ok(uid: Any, refresh: str | None) -> str:
    """``authenticationSuccess``."""
    out: dict[str, Any] = {"type": "auth", "status": "ok"}
    if uid is not None:
        out["uid"] = uid
    if refresh is not None:
        out["refresh_token"] = refresh
    return dumps(out)
