"""The per-app control handle (``Mock``), its Flask app class, and the control-path test.

Every module that needs the Mock, or needs to tell authmock's own ``/__authmock__`` surfaces
from the product's paths, imports them from here. This module imports neither the app factory
(``authmock.app``) nor the control API (``authmock.control``), so those import it one way only.
``Mock`` and ``Flavour`` name each other in type hints only (a flavour's hooks take the Mock;
the Mock holds its flavour).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, g
from werkzeug.http import http_date
from werkzeug.routing import PathConverter, Rule

from authmock.clock import Clock
from authmock.cors import CorsPolicy
from authmock.faults import G_ROUTE_RESPONSE, Faults
from authmock.journal import Journal
from authmock.mailbox import Mailbox
from authmock.randomness import Random
from authmock.scenarios import Users
from authmock.store import Store
from authmock.tokens import JwtSigner

if TYPE_CHECKING:
    from flask.testing import FlaskClient  # click.testing behind it: not at start-up

    from authmock.fixtures import FixtureFile
    from authmock.flavour import Flavour

#: where authmock's own surfaces live (control API, inspector, fake identity providers)
CONTROL_PREFIX = "/__authmock__"
_CONTROL_SUBTREE = CONTROL_PREFIX + "/"


def is_control_path(path: str) -> bool:
    """True for ``/__authmock__`` and anything under it: authmock's, not the product's."""
    return path == CONTROL_PREFIX or path.startswith(_CONTROL_SUBTREE)


class Mock:
    """Everything one flavour app owns; also the control handle users script against."""

    def __init__(
        self,
        flavour: Flavour,
        fixture: FixtureFile,
        *,
        profile: str,
        seed: int | str | None,
        control_token: str | None,
        realistic_timing: bool,
        reason_header: bool = True,
        cors: CorsPolicy | None = None,
    ) -> None:
        self.flavour = flavour
        #: the CORS asked for (on for loopback origins unless switched off); see authmock.cors
        self.cors = cors if cors is not None else CorsPolicy()
        self.name = flavour.name
        self.fixture = fixture
        self.settings: dict[str, Any] = fixture.settings
        self.profile = profile
        self.realistic_timing = realistic_timing
        self.control_token = control_token
        self.clock = Clock()
        self.store = Store()
        self.rng = Random(seed)
        self.mailbox = Mailbox(self.store, self.clock)
        self.journal = Journal(flavour.name)
        self.faults = Faults(self)
        self.users = Users(self)
        #: send X-Authmock-Reason on 4xx answers (the journal keeps the reason either way)
        self.reason_header = reason_header
        secret = self.settings.get("jwt_secret")
        self.tokens = JwtSigner(
            self.clock, self.store, self.rng, secret if isinstance(secret, str) else None
        )
        self.seed = flavour.parse_fixtures(fixture)
        self.app: MockFlask = MockFlask(f"authmock.{flavour.name}", mock=self)

    def reset(self) -> None:
        """Back to the loaded fixtures; tokens issued before are refused from now on."""
        with self.store.lock:
            self.tokens.rotate()  # reads the tokens issued since the last reset: before reset()
            self.store.reset()
            self.flavour.on_reset(self)
        self.clock.reset()
        self.journal.clear()
        self.faults.clear()

    def reason(self, text: str, *, default: bool = False) -> None:
        """Say why the current request is refused (``"token expired at <ISO>"``): sent as
        ``X-Authmock-Reason`` on a 4xx and kept in the journal. The last one given wins;
        ``default=True`` only fills in a reason where no refusal site gave one."""
        if default and "authmock_reason" in g:
            return
        g.authmock_reason = text

    def stall(self, seconds: float) -> None:
        """Ask for the current response to be delayed (outside the lock), e.g. login stalls."""
        g.authmock_stall = max(getattr(g, "authmock_stall", 0.0), seconds)

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    # in-process transports for the user's own requests/httpx code (authmock.transports)
    def requests_session(self, base_url: str = "http://localhost") -> Any:
        """A ``requests.Session`` that calls this app in-process (no socket)."""
        from authmock.transports import requests_session

        return requests_session(self.app, base_url)

    def httpx_client(self, base_url: str = "http://localhost", **kwargs: Any) -> Any:
        """An ``httpx.Client`` that calls this app in-process (no socket)."""
        from authmock.transports import httpx_client

        return httpx_client(self.app, base_url, **kwargs)

    def httpx_async_client(self, base_url: str = "http://localhost", **kwargs: Any) -> Any:
        """An ``httpx.AsyncClient`` that calls this app in-process (no socket)."""
        from authmock.transports import httpx_async_client

        return httpx_async_client(self.app, base_url, **kwargs)

    def otp(self, email: str, *, at: float | None = None) -> str | None:
        """The TOTP code a user's authenticator shows now on the mock clock (None: no secret)."""
        from authmock.otp import code_at

        secret = self.flavour.totp_secret(self, email)
        if secret is None:
            return None
        return code_at(secret, self.clock.time() if at is None else at)


class LazyBuilderRule(Rule):
    """A URL rule that compiles its ``url_for`` builder on first use, not when it is added.

    Werkzeug compiles two Python functions per rule as it is added; that was most of the cost
    of ``create_app`` (tens of rules per flavour), and the fakes hardly ever build URLs.
    Matching is compiled as usual.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:
                real = Rule._compile_builder(rule, append_unknown)
                compiled.append(real.__get__(rule, None))
            return compiled[0](**values)

        return build


class AnyPathConverter(PathConverter):
    """``<path:...>`` that also matches line feeds."""

    regex = "[^/](?s:.*?)"


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class MockFlask(Flask):
    """Flask with the authmock pipeline: one transaction per dispatch, stalls outside it."""

    url_rule_class = LazyBuilderRule

    def __init__(self, import_name: str, *, mock: Mock) -> None:
        # No static folder: Flask's /static/<path> route is no product's path.
        super().__init__(import_name, static_folder=None)
        # Werkzeug would answer '//x' with an HTML 308 to '/x'; no product merges slashes so.
        self.url_map.merge_slashes = False
        # Express and Symfony route a path whatever bytes its segments hold; Werkzeug's own
        # ``path`` converter stops at a line feed (%0A), which would turn a product route into
        # a "no such route" answer.
        self.url_map.converters["path"] = AnyPathConverter
        self.mock = mock

    def make_default_options_response(self) -> Response:
        """Flask's automatic ``OPTIONS`` answer, its ``Allow`` in HTTP's usual order: Werkzeug
        lists a rule's methods from a set, whose order changed with ``PYTHONHASHSEED``."""
        response = super().make_default_options_response()
        methods = [m for m in _METHOD_ORDER if m in response.allow]
        methods += sorted(m for m in response.allow if m not in _METHOD_ORDER)
        response.headers["Allow"] = ", ".join(methods)
        return response

    def dispatch_request(self) -> Any:
        fault = g.pop(G_ROUTE_RESPONSE, None)
        if fault is not None:  # a route-stage fault: the product's middleware already ran
            self.mock.reason(f"fault rule {g.authmock_fault}")
            return fault()
        with self.mock.store.transaction():
            return super().dispatch_request()

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Every product sends ``Date``, after its own headers: here on the mock clock, so the
        Flask test client gets one too (the live server then adds none of its own)."""
        clock = self.mock.clock

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "date" for name, _ in headers):
                headers.append(("Date", self._http_date(int(clock.time()))))
            return start_response(status, headers, exc_info)

        return super().wsgi_app(environ, start)

    #: the last second formatted for ``Date`` and its text: most answers fall in the same
    #: second of the mock clock, and formatting one took about 3 µs an answer
    _last_date: tuple[int, str] = (-1, "")

    def _http_date(self, second: int) -> str:
        last = self._last_date  # one tuple, read and replaced whole: safe across threads
        if last[0] != second:
            last = self._last_date = (second, http_date(second))
        return last[1]

    def full_dispatch_request(self) -> Response:
        response = super().full_dispatch_request()
        stall = getattr(g, "authmock_stall", 0.0)
        if stall:
            time.sleep(stall)
        return response


def current_mock() -> Mock:
    """The Mock of the app handling the current request."""
    mock: Mock = current_app.extensions["authmock"]
    return mock
