"""CORS for local frontend development: which origins may call a fake, shared by every flavour.

A page on a dev server (``http://localhost:5173``) calling a fake on another port is a
cross-origin request. Out of the box every flavour allows the loopback origins *with
credentials* (the request's exact origin echoed, never ``*``), each in its own product's header
shape (the flavour's ``cors.py``). ``--cors-origin`` / ``settings.cors_origins`` replace the
loopback list; ``--cors off`` (``create_app(cors=False)``) gives the real product's default.
A fixture's own CORS settings (Directus ``CORS_*``, Paystub ``cors``) rule when present: the
flavour decides that, this module only says what was asked for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: ``http://localhost:<port>``, ``http://127.0.0.1:<port>``, ``http://[::1]:<port>`` (and the
#: https and port-less forms, which a dev server with a certificate or on port 80 sends)
LOOPBACK_ORIGIN = re.compile(r"^https?://(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$")
LOOPBACK_DESCRIPTION = "http://localhost:<port>, http://127.0.0.1:<port>, http://[::1]:<port>"
#: any origin, echoed (never sent as ``*``: credentials are allowed)
ANY_ORIGIN = "*"
_ORIGIN = re.compile(r"^https?://(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$")
SETTING = "cors_origins"


def origin_problem(value: Any) -> str | None:
    """Why ``value`` is not an origin a browser sends (None when it is one, or ``*``)."""
    if not isinstance(value, str):
        return "must be a string"
    if value == ANY_ORIGIN or _ORIGIN.match(value):
        return None
    return (
        f'"{value}" is not an origin: give scheme://host[:port] without a path or a '
        'trailing slash, e.g. http://localhost:5173, or "*" for any origin'
    )


@dataclass(frozen=True)
class CorsPolicy:
    """What authmock was asked for; each flavour maps it onto its product's CORS layer."""

    #: False: the real product's default (``--cors off``)
    enabled: bool = True
    #: the allowed origins; empty means the loopback ones
    origins: tuple[str, ...] = ()

    @property
    def any_origin(self) -> bool:
        return ANY_ORIGIN in self.origins

    @property
    def explicit(self) -> tuple[str, ...]:
        """The listed origins other than ``*``."""
        return tuple(o for o in self.origins if o != ANY_ORIGIN)

    def allows(self, origin: str | None) -> bool:
        if not origin:
            return False
        if not self.origins:
            return LOOPBACK_ORIGIN.match(origin) is not None
        return self.any_origin or origin in self.origins

    def describe(self) -> str:
        """One line for the start-up banner."""
        if not self.enabled:
            return "off (the product's own default)"
        if not self.origins:
            listed = LOOPBACK_DESCRIPTION
        elif self.any_origin:
            listed = "any origin (echoed)"
        else:
            listed = ", ".join(self.origins)
        return f"{listed} (with credentials)"


def policy(
    enabled: bool | None, origins: Sequence[str] | None, settings: Mapping[str, Any]
) -> CorsPolicy:
    """The policy for one app: arguments first, then the fixture's ``cors_origins``."""
    chosen: Sequence[str] | None = origins
    if chosen is None:
        configured = settings.get(SETTING)
        chosen = configured if isinstance(configured, list) else None
    for origin in chosen or ():
        problem = origin_problem(origin)
        if problem is not None:
            raise ValueError(f"CORS origin {problem}")
    return CorsPolicy(
        enabled=True if enabled is None else enabled,
        origins=tuple(dict.fromkeys(chosen or ())),
    )
