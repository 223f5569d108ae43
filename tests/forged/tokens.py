"""Forging helpers shared by the per-flavour forged-token tests (no flavour knowledge here)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def segment(data: Any) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parts(token: str) -> tuple[str, str, str]:
    head, payload, signature = token.split(".")
    return head, payload, signature


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def sign(head: str, payload: str, key: bytes) -> str:
    """An HS256 signature over ``head.payload`` with ``key`` (the attacker's own key)."""
    mac = hmac.new(key, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def forgeries(token: str) -> dict[str, str]:
    """Every forgery of a real HS256 JWT an attacker can make without the server's secret."""
    head, payload, signature = parts(token)
    body = claims(token)
    none_head = segment({"typ": "JWT", "alg": "none"})
    edited = segment({**body, **{k: _edit(v) for k, v in body.items() if k in _EDITABLE}})
    return {
        "alg-none-unsigned": f"{none_head}.{payload}.",
        "alg-none-old-signature": f"{none_head}.{payload}.{signature}",
        "wrong-key": f"{head}.{payload}.{sign(head, payload, b'not-the-server-secret')}",
        "edited-claims-old-signature": f"{head}.{edited}.{signature}",
        "signature-truncated": token[:-4],
    }


_EDITABLE = {"id", "user_id", "role", "admin_access", "exp", "sub"}


def _edit(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1")
    return value
