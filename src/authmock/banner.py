"""The start-up banner of ``authmock serve``: per flavour, what a frontend developer needs.

A compact table: the URL, the inspector, the control API, which origins may call (CORS), then
the flavour's own lines (users and passwords with roles and TOTP, API keys, ...). ``--watch``
reprints the part of one flavour when its fixture file changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from authmock import __version__
from authmock.mock import CONTROL_PREFIX

if TYPE_CHECKING:
    from authmock.mock import Mock

#: the hint for cookie-based logins (Directus cookie and session modes)
COOKIE_HINT = (
    "cookie/session mode: serve your page from {host} too "
    "(localhost and 127.0.0.1 are different sites for SameSite=Lax cookies)"
)


def host_of(url: str) -> str:
    return url.split("//", 1)[1].rsplit(":", 1)[0]


def flavour_part(mock: Mock, url: str) -> list[str]:
    """The lines of one flavour, starting with ``<name>  <url>``."""
    rows = [
        ("inspector", f"{url}{CONTROL_PREFIX}/"),
        ("control", f"{url}{CONTROL_PREFIX}/health"),
        ("OpenAPI", f"{url}{CONTROL_PREFIX}/openapi.json"),
        ("CORS", mock.flavour.cors_summary(mock)),
    ]
    lines = [f"{mock.name}  {url}  (profile {mock.profile})"]
    lines.extend(f"  {label:<10} {value}" for label, value in rows)
    lines.extend(f"  {line}" for line in mock.flavour.banner(mock, url))
    return lines


def render(parts: list[list[str]], token: str | None) -> str:
    lines = [f"authmock {__version__}"]
    for part in parts:
        lines.append("")
        lines.extend(part)
    if token is not None:
        lines.append("")
        lines.append(f"control token: {token}  (send 'Authorization: Bearer <token>')")
        lines.append(f"  inspector: add #token={token} to its URL, or paste it when asked")
    lines.append("")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)
