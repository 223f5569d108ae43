"""The app factory: one flavour app with the authmock request pipeline.

``Mock``, ``MockFlask``, ``current_mock``, ``CONTROL_PREFIX`` and ``is_control_path`` live in
``authmock.mock`` and are re-exported here.

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
import time  # noqa: F401 - kept as authmock.app.time: tests patch its sleep (stalls, authmock.mock)
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Request, Response, g, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from authmock import flavour as flavours
from authmock.cors import policy as cors_policy
from authmock.faults import RequestInfo
from authmock.fixtures import FixtureFile
from authmock.mock import (  # re-exported: authmock.app was their home and stays importable
    CONTROL_PREFIX,
    LazyBuilderRule,
    Mock,
    MockFlask,
    current_mock,
    is_control_path,
)

__all__ = [
    "CONTROL_PREFIX",
    "LazyBuilderRule",
    "Mock",
    "MockFlask",
    "create_app",
    "current_mock",
    "is_control_path",
]

log = logging.getLogger("authmock")


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
    mock = _make_mock(impl, fixture, profile=profile, seed=seed, control_token=control_token,
                      realistic_timing=realistic_timing, reason_header=reason_header,
                      cors=cors, cors_origins=cors_origins)
    app = mock.app
    app.extensions["authmock"] = mock
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = impl.max_content_length
    _install_pipeline(app, mock)

    from authmock.control import control_blueprint

    app.register_blueprint(control_blueprint(), url_prefix=CONTROL_PREFIX)
    from authmock.inspector import page_blueprint

    app.register_blueprint(page_blueprint(), url_prefix=CONTROL_PREFIX)
    from authmock import openapi

    app.register_blueprint(openapi.blueprint())  # GET CONTROL_PREFIX/openapi.json
    impl.setup(mock)
    return app


def _make_mock(
    impl: flavours.Flavour,
    fixture: FixtureFile,
    *,
    profile: str | None,
    seed: int | str | None,
    control_token: str | None,
    realistic_timing: bool | None,
    reason_header: bool | None,
    cors: bool | None,
    cors_origins: Sequence[str] | None,
) -> Mock:
    """The Mock for ``create_app``: each argument left None falls back to the fixture's setting."""
    chosen = profile if profile is not None else fixture.settings.get("profile", "docs")
    if chosen not in ("docs", "server"):
        raise ValueError(f"profile must be 'docs' or 'server', not {chosen!r}")
    if cors_origins is not None and cors is False:
        raise ValueError("cors_origins needs CORS on (cors=False gives the product's default)")
    return Mock(
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


def _body_too_large(req: Request, limit: int) -> bool:
    """Content-Length over the limit, or a body without one (chunked) that runs past it.

    Werkzeug stops reading an unsized body at MAX_CONTENT_LENGTH without a word, so a route
    would see it cut short; one more byte is looked for instead.
    """
    environ = req.environ
    if environ.get("CONTENT_LENGTH"):
        return (req.content_length or 0) > limit
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return False
    if len(req.get_data(cache=True)) < limit:
        return False
    stream = environ.get("wsgi.input")
    return bool(stream is not None and stream.read(1))


def _header_safe(text: str) -> str:
    """One line of ASCII: a header value every client reads the same."""
    flat = " ".join(text.split())
    return flat.encode("ascii", "backslashreplace").decode("ascii")


def _fallback_reason(req: Request, status: int) -> str:
    """The reason of a 4xx whose refusal site named none."""
    if status == 404 and req.url_rule is None:
        return "unknown route"
    if status == 405:
        return f"method {req.method} not allowed"
    if status == 413:
        return "request body too large"
    return HTTP_STATUS_CODES.get(status, "client error").lower()


def _is_control(req: Request | None = None) -> bool:
    """Whether this request (default: the current one) is under CONTROL_PREFIX; asked up to
    three times a request, so remembered in the environ."""
    if req is None:
        req = request._get_current_object()  # type: ignore[attr-defined]
        assert req is not None
    environ = req.environ
    known: bool | None = environ.get("authmock.is_control")
    if known is None:
        known = is_control_path(req.path)
        environ["authmock.is_control"] = known
    return known


def _install_pipeline(app: MockFlask, mock: Mock) -> None:
    """Steps 1, 3 and 4 of the module docstring on ``app`` (the transaction is MockFlask's)."""
    _install_before(app, mock)
    _install_after(app, mock)
    _install_error_handler(app, mock)


def _install_before(app: MockFlask, mock: Mock) -> None:
    limit = mock.flavour.max_content_length

    @app.before_request
    def _before() -> Response | None:
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        if _is_control(req):
            return None
        if limit is not None and _body_too_large(req, limit):
            raise RequestEntityTooLarge()  # before any route reads it, for every route alike
        info = g.authmock_info = RequestInfo(mock, req)
        info.user  # noqa: B018 - resolved before the route can consume the credential
        return mock.faults.intercept(req)


def _install_after(app: MockFlask, mock: Mock) -> None:
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
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        if not _is_control(req):
            status = response.status_code
            ctx_g = g._get_current_object()
            reason: str | None = ctx_g.get("authmock_reason")
            if 400 <= status < 500:
                if reason is None:
                    reason = _fallback_reason(req, status)
                if mock.reason_header:
                    response.headers["X-Authmock-Reason"] = _header_safe(reason)
            info: RequestInfo | None = ctx_g.get("authmock_info")
            mock.journal.record(
                req.method,
                req.path,
                req.query_string.decode("latin-1"),
                status,
                mock.clock.time(),
                info.user if info is not None else None,
                ctx_g.get("authmock_fault"),
                reason,
                ctx_g.get("authmock_operation"),  # a flavour's GraphQL operation: (label, names)
            )
        return response


def _install_error_handler(app: MockFlask, mock: Mock) -> None:
    from authmock.control import control_error

    @app.errorhandler(Exception)
    def _any_error(error: Exception) -> Response:
        status = error.code if isinstance(error, HTTPException) and error.code else 500
        if status == 500 and not isinstance(error, HTTPException):
            log.error(
                "unexpected error in %s %s (%s)", request.method, request.path, mock.name,
                exc_info=error,
            )
        if _is_control():
            return control_error(status, error)
        try:
            return mock.flavour.render_error(status, error)
        except Exception as nested:  # the last line of defence: still JSON, never HTML
            log.error("render_error failed", exc_info=nested)
            return Response('{"error":"internal error"}', 500, mimetype="application/json")
