"""Send scripted requests to an in-process app and write down exactly what came back.

The text is the evidence a refactor changed no byte: each request as sent, then the status
line, every response header in order and the body (as UTF-8 text, or a hex dump when it is not
clean text: invalid UTF-8 or control characters, which would make the diff unreadable). Request
bodies over 2000 bytes (size-limit probes) are shown by length and digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from authmock.app import create_app

#: the instant every recording starts at (the mock clock is frozen there)
FROZEN_AT = "2026-01-01T00:00:00Z"
SEED = 1234
CORS_ORIGIN = "http://localhost:5173"
_LONG = 2000
_TEXTUAL = ("json", "text/", "html", "xml", "javascript", "graphql")


@dataclass
class Reply:
    """What a later step needs from an earlier answer."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    data: Any = None
    cookies: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def get(self, *keys: str | int) -> Any:
        """A value deep in the JSON body, or None when any step is missing."""
        value: Any = self.data
        for key in keys:
            if isinstance(key, int) and isinstance(value, list) and -len(value) <= key < len(value):
                value = value[key]
            elif isinstance(key, str) and isinstance(value, dict):
                value = value.get(key)
            else:
                return None
        return value

    def text(self, *keys: str | int) -> str:
        """Like get, but always a string ("" when missing): later requests stay well-formed."""
        value = self.get(*keys)
        return value if isinstance(value, str) else ""


def _printable(body: bytes) -> bool:
    """UTF-8 without control characters other than tab and line ends: safe in a text diff."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0 for c in text)


def _hex(body: bytes) -> str:
    lines = [f"(hex, {len(body)} bytes)"]
    for start in range(0, len(body), 32):
        lines.append(body[start:start + 32].hex(" "))
    return "\n".join(lines)


def _body_text(body: bytes, content_type: str | None) -> str:
    """A response body: text as UTF-8 (escapes for stray bytes), anything else as hex."""
    if not body:
        return "(empty body)"
    textual = content_type is None or any(t in content_type.lower() for t in _TEXTUAL)
    if textual and _printable(body):
        return body.decode("utf-8")
    return _hex(body)


def _sent_text(data: bytes) -> str:
    """A request body as sent; a long one (a size-limit probe) by its length and digest."""
    if len(data) <= _LONG:
        return data.decode("utf-8") if _printable(data) else _hex(data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    start = data[:40].decode("utf-8", errors="backslashreplace")
    return f"({len(data)} bytes, sha256 {digest}...) {start}..."


def _cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in headers:
        if key.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
    return found


class Recorder:
    """One app (flavour x profile) on a frozen mock clock, and the transcript of a script."""

    def __init__(self, flavour: str, profile: str) -> None:
        self.flavour = flavour
        self.profile = profile
        self.app = create_app(flavour, profile=profile, seed=SEED)
        self.mock = self.app.mock
        # freeze first: set() on a running clock keeps the microseconds until freeze()
        self.mock.clock.freeze()
        self.mock.clock.set(FROZEN_AT)
        self.client = self.app.test_client(use_cookies=False)
        self.lines: list[str] = [f"### {flavour} / {profile} (seed {SEED}, clock {FROZEN_AT})"]
        self.count = 0

    def note(self, text: str) -> None:
        """A comment in the transcript (e.g. that the clock moved)."""
        self.lines.append(f"### {text}")

    def advance(self, amount: str) -> None:
        self.mock.clock.advance(amount)
        self.note(f"clock advanced {amount} -> {self.mock.clock.now().isoformat()}")

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
        body: str | bytes | None = None,
        content_type: str | None = None,
    ) -> Reply:
        sent: list[tuple[str, str]] = list((headers or {}).items())
        data: bytes | None = None
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            sent.append(("Content-Type", content_type or "application/json"))
        elif body is not None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            if content_type is not None:
                sent.append(("Content-Type", content_type))
        elif content_type is not None:
            sent.append(("Content-Type", content_type))
        self.count += 1
        self.lines.append("")
        self.lines.append(f">>> {method} {path}")
        self.lines.extend(f"> {k}: {v}" for k, v in sent)
        if data is not None:
            self.lines.extend("> " + line for line in _sent_text(data).split("\n"))
        response = self.client.open(path, method=method, headers=sent, data=data)
        raw = response.get_data()
        got = list(response.headers.items())
        self.lines.append(f"<<< {response.status}")
        self.lines.extend(f"{k}: {v}" for k, v in got)
        self.lines.append("")
        self.lines.append(_body_text(raw, response.headers.get("Content-Type")))
        parsed: Any = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        return Reply(response.status_code, got, raw, parsed, _cookies(got))

    # shorthands ------------------------------------------------------------------------------
    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.send("GET", path, headers=headers)

    def post(
        self, path: str, json_body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        return self.send("POST", path, json_body=json_body, headers=headers)

    def preflight(self, path: str, method: str = "POST", extra: str = "content-type") -> Reply:
        return self.send("OPTIONS", path, headers={
            "Origin": CORS_ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": extra,
        })

    def transcript(self) -> str:
        self.lines.append("")
        self.lines.append(f"### {self.count} requests")
        return "\n".join(self.lines) + "\n"
