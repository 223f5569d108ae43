"""The app factory and the per-app control handle (``Mock``).

Request pipeline of every flavour app:
1. ``before_request``: the request's user is resolved (flavour hook) and fault rules may
   answer instead of the product (or, for a route-stage error, instead of the route only);
2. the route runs inside ``store.transaction()``: one request at a time, and every write is
   undone if an exception escapes. A flavour that must keep state while refusing (a failed-login
   counter) *returns* its error response instead of raising;
3. any exception becomes the flavour's own envelope (``Flavour.render_error``), never HTML; an
   unexpected one is logged with its traceback and answered with the flavour's 500;
4. ``after_request``: a 4xx gets ``X-Authmock-Reason`` (the reason a refusal site gave with
   ``mock.reason()``, else a fallback such as "unknown route"), and the journal records the
   request on the mock clock with its user, fault rule and reason;
5. a stall requested by the route (realistic timing) is slept outside the lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES, http_date
from werkzeug.routing import Rule

from authmock import flavour as flavours
from authmock.clock import Clock
from authmock.cors import CorsPolicy
from authmock.cors import policy as cors_policy
from authmock.faults import G_ROUTE_RESPONSE, Faults, RequestInfo
from authmock.fixtures import FixtureFile
from authmock.journal import Journal
from authmock.mailbox import Mailbox
from authmock.randomness import Random
from authmock.scenarios import Users
from authmock.store import Store
from authmock.tokens import JwtSigner

CONTROL_PREFIX = "/__authmock__"
log = logging.getLogger("authmock")


class Mock:
    """Everything one flavour app owns; also the control handle users script against."""

    def __init__(
        self,
        flavour: flavours.Flavour,
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


class MockFlask(Flask):
    """Flask with the authmock pipeline: one transaction per dispatch, stalls outside it."""

    url_rule_class = LazyBuilderRule

    def __init__(self, import_name: str, *, mock: Mock) -> None:
        # No static folder: Flask's /static/<path> route is no product's path.
        super().__init__(import_name, static_folder=None)
        # Werkzeug would answer '//x' with an HTML 308 to '/x'; no product merges slashes so.
        self.url_map.merge_slashes = False
        self.mock = mock

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
                headers.append(("Date", http_date(int(clock.time()))))
            return start_response(status, headers, exc_info)

        return super().wsgi_app(environ, start)

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


def _load_fixture(
    flavour: str,
    fixtures: str | Path | Mapping[str, Any] | None,
    settings: Mapping[str, Any] | None = None,
) -> FixtureFile:
    from authmock.overlay import load_fixture

    return load_fixture(flavour, fixtures, settings)


def create_app(
    flavour: str,
    *,
    fixtures: str | Path | Mapping[str, Any] | None = None,
    profile: str | None = None,
    seed: int | str | None = None,
    control_token: str | None = None,
    realistic_timing: bool | None = None,
    reason_header: bool | None = None,
    cors: bool | None = None,
    cors_origins: Sequence[str] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> MockFlask:
    """A Flask app serving one flavour; its control handle is ``app.mock``.

    ``fixtures`` is a file path, an already-parsed dict, or None for the bundled defaults; a
    file or dict states only what it changes from the bundled fixture (``authmock.overlay``).
    ``settings`` apply over the fixture's, key by key.
    ``profile`` defaults to the fixture's ``settings.profile``, else ``"docs"``.
    ``reason_header`` defaults to the fixture's ``settings.reason_header``, else True.
    ``cors=False`` gives the real product's CORS default instead of allowing loopback origins
    with credentials; ``cors_origins`` replaces the loopback list (else ``settings.cors_origins``).
    """
    impl = flavours.get(flavour)
    fixture = _load_fixture(flavour, fixtures, settings)
    chosen = profile if profile is not None else fixture.settings.get("profile", "docs")
    if chosen not in ("docs", "server"):
        raise ValueError(f"profile must be 'docs' or 'server', not {chosen!r}")
    if cors_origins is not None and cors is False:
        raise ValueError("cors_origins needs CORS on (cors=False gives the product's default)")
    mock = Mock(
        impl,
        fixture,
        profile=chosen,
        seed=seed if seed is not None else fixture.settings.get("seed"),
        control_token=control_token,
        realistic_timing=(
            realistic_timing
            if realistic_timing is not None
            else bool(fixture.settings.get("realistic_timing", False))
        ),
        reason_header=(
            reason_header
            if reason_header is not None
            else fixture.settings.get("reason_header", True) is not False
        ),
        cors=cors_policy(cors, cors_origins, fixture.settings),
    )
    app = mock.app
    app.extensions["authmock"] = mock
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = impl.max_content_length
    _install_pipeline(app, mock)

    from authmock.control import control_blueprint

    app.register_blueprint(control_blueprint(mock), url_prefix=CONTROL_PREFIX)
    from authmock.inspector import page_blueprint

    app.register_blueprint(page_blueprint(), url_prefix=CONTROL_PREFIX)
    impl.setup(mock)
    return app


def _body_too_large(limit: int) -> bool:
    """Content-Length over the limit, or a body without one (chunked) that runs past it.

    Werkzeug stops reading an unsized body at MAX_CONTENT_LENGTH without a word, so a route
    would see it cut short; one more byte is looked for instead.
    """
    environ = request.environ
    if environ.get("CONTENT_LENGTH"):
        return (request.content_length or 0) > limit
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return False
    if len(request.get_data(cache=True)) < limit:
        return False
    stream = request.environ.get("wsgi.input")
    return bool(stream is not None and stream.read(1))


def _header_safe(text: str) -> str:
    """One line of ASCII: a header value every client reads the same."""
    flat = " ".join(text.split())
    return flat.encode("ascii", "backslashreplace").decode("ascii")


def _fallback_reason(status: int) -> str:
    """The reason of a 4xx whose refusal site named none."""
    if status == 404 and request.url_rule is None:
        return "unknown route"
    if status == 405:
        return f"method {request.method} not allowed"
    if status == 413:
        return "request body too large"
    return HTTP_STATUS_CODES.get(status, "client error").lower()


def _install_pipeline(app: MockFlask, mock: Mock) -> None:
    from authmock.control import control_error

    def is_control() -> bool:  # asked up to three times a request: remembered in the environ
        environ = request.environ
        known: bool | None = environ.get("authmock.is_control")
        if known is None:
            path = request.path
            known = path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
            environ["authmock.is_control"] = known
        return known

    limit = mock.flavour.max_content_length

    @app.before_request
    def _before() -> Response | None:
        if is_control():
            return None
        if limit is not None and _body_too_large(limit):
            raise RequestEntityTooLarge()  # before any route reads it, for every route alike
        req = request._get_current_object()  # type: ignore[attr-defined]
        info = g.authmock_info = RequestInfo(mock, req)
        info.user  # noqa: B018 - resolved before the route can consume the credential
        return mock.faults.intercept(req)

    # Werkzeug upper-cases the reason phrase ('404 NOT FOUND'); the products (and fetch's
    # statusText) don't. Werkzeug's own status line -> the product's, worked out once.
    phrases = mock.flavour.reason_phrases
    status_lines = {
        f"{code} {usual.upper()}": f"{code} {phrases.get(code, usual)}"
        for code, usual in HTTP_STATUS_CODES.items()
    }

    @app.after_request
    def _journal(response: Response) -> Response:
        status_line = status_lines.get(response.status)
        if status_line is not None:
            response.status = status_line
        if not is_control():
            status = response.status_code
            reason: str | None = g.get("authmock_reason")
            if 400 <= status < 500:
                if reason is None:
                    reason = _fallback_reason(status)
                if mock.reason_header:
                    response.headers["X-Authmock-Reason"] = _header_safe(reason)
            info: RequestInfo | None = g.get("authmock_info")
            mock.journal.record(
                request.method,
                request.path,
                request.query_string.decode("latin-1"),
                status,
                mock.clock.time(),
                info.user if info is not None else None,
                g.get("authmock_fault"),
                reason,
                g.get("authmock_operation"),  # a flavour's GraphQL operation: (label, names)
            )
        return response

    @app.errorhandler(Exception)
    def _any_error(error: Exception) -> Response:
        status = error.code if isinstance(error, HTTPException) and error.code else 500
        if status == 500 and not isinstance(error, HTTPException):
            log.error(
                "unexpected error in %s %s (%s)", request.method, request.path, mock.name,
                exc_info=error,
            )
        if is_control():
            return control_error(status, error)
        try:
            return mock.flavour.render_error(status, error)
        except Exception as nested:  # the last line of defence: still JSON, never HTML
            log.error("render_error failed", exc_info=nested)
            return Response('{"error":"internal error"}', 500, mimetype="application/json")
