"""The ``/__authmock__`` control API: health, reset, clock, mailbox, journal, faults, otp.

The inspector page and its users/sessions lists live in ``authmock.inspector``.

Its own errors are ``{"error": "..."}`` with a 4xx, whatever the flavour's envelope is.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from authmock import otp as otp_codes
from authmock.faults import FaultError
from authmock.journal import query_filters
from authmock.mock import current_mock
from authmock.scenarios import ScenarioError
from authmock.tokens import constant_time_equals


def _json(payload: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(payload, separators=(",", ":")), status, mimetype="application/json"
    )


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


def control_error(status: int, error: BaseException | None) -> Response:
    if status == 404:
        return _error(404, f"no control endpoint at {request.path}")
    if status == 405:
        return _error(405, f"method {request.method} not allowed on {request.path}")
    if status == 413:
        return _error(413, "request body too large")
    if isinstance(error, HTTPException) and 400 <= status < 500:
        return _error(status, error.description or "bad request")
    return _error(500, "internal error in the control API (see the server log)")


def _body() -> dict[str, Any] | Response:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body must be a JSON object")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object")
    return body


def _loopback_caller(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback; False for anything else or unknown."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_loopback)


NOT_LOOPBACK = ("control API answers loopback callers only; start authmock with "
                "--control-token TOKEN (create_app(control_token=...)) and send "
                "Authorization: Bearer TOKEN to reach it from elsewhere")

#: the control API's views; per-app state comes from ``current_mock()``. Mounted under
#: CONTROL_PREFIX through ``control_blueprint()``, which nests the inspector's lists in it.
blueprint = Blueprint("authmock_control", __name__)


_nesting = threading.Lock()
_nested: list[Blueprint] = []  # the inspector's blueprint, once nested


def control_blueprint() -> Blueprint:
    """The control blueprint with the inspector's ``/users`` and ``/sessions`` nested (behind
    the same token check); nested once, under a lock, as apps may be built on several threads
    and a Blueprint cannot change once registered."""
    with _nesting:
        if not _nested:
            from authmock.inspector import api

            blueprint.register_blueprint(api)
            _nested.append(api)
    return blueprint


@blueprint.before_request
def _authorize() -> Response | None:
    mock = current_mock()
    if mock.control_token is None:
        # whoever can reach the port could otherwise reset, move the clock, read mail
        return None if _loopback_caller(request.remote_addr) else _error(403, NOT_LOOPBACK)
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not constant_time_equals(
        given.strip(), mock.control_token
    ):
        return _error(401, "control API needs Authorization: Bearer <control token>")
    return None


@blueprint.get("/health")
def health() -> Response:
    mock = current_mock()
    return _json({"status": "ok", "flavour": mock.name, "profile": mock.profile})


@blueprint.post("/reset")
def reset() -> Response:
    mock = current_mock()
    mock.reset()
    return Response(status=204)


@blueprint.get("/clock")
def clock_get() -> Response:
    mock = current_mock()
    return _json(mock.clock.state())


@blueprint.post("/clock")
def clock_post() -> Response:
    mock = current_mock()
    body = _body()
    if isinstance(body, Response):
        return body
    actions = [k for k in ("advance", "set", "freeze", "reset") if k in body]
    unknown = [k for k in body if k not in ("advance", "set", "freeze", "reset")]
    if unknown or len(actions) != 1:
        return _error(
            400,
            'body must hold exactly one of "advance", "set", "freeze" or "reset"',
        )
    action = actions[0]
    value = body[action]
    try:
        if action == "advance":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError('"advance" takes seconds or a duration such as "24h"')
            mock.clock.advance(value)
        elif action == "set":
            if not isinstance(value, str):
                raise ValueError('"set" takes an ISO-8601 date-time string')
            mock.clock.set(value)
        elif action == "freeze":
            if not isinstance(value, bool):
                raise ValueError('"freeze" takes true or false')
            mock.clock.freeze() if value else mock.clock.unfreeze()
        else:
            if value is not True:
                raise ValueError('"reset" takes true')
            mock.clock.reset()
    except ValueError as exc:
        return _error(400, str(exc))
    return _json(mock.clock.state())


@blueprint.get("/mailbox")
def mailbox_get() -> Response:
    mock = current_mock()
    to = request.args.get("to")
    return _json({"messages": [m.to_json() for m in mock.mailbox.messages(to)]})


@blueprint.delete("/mailbox")
def mailbox_delete() -> Response:
    mock = current_mock()
    mock.mailbox.clear()
    return Response(status=204)


@blueprint.get("/journal")
def journal_get() -> Response:
    mock = current_mock()
    try:
        filters = query_filters(request.args)
    except ValueError as exc:
        return _error(400, str(exc))
    return _json({"requests": mock.journal.entries(**filters)})


@blueprint.delete("/journal")
def journal_delete() -> Response:
    mock = current_mock()
    mock.journal.clear()
    return Response(status=204)


@blueprint.get("/faults")
def faults_get() -> Response:
    mock = current_mock()
    return _json({"faults": [rule.to_json() for rule in mock.faults.rules()]})


@blueprint.post("/faults")
def faults_post() -> Response:
    mock = current_mock()
    body = _body()
    if isinstance(body, Response):
        return body
    try:
        rule = mock.faults.add_json(body)
    except FaultError as exc:
        return _error(400, str(exc))
    return _json(rule.to_json(), 201)


@blueprint.delete("/faults")
def faults_delete() -> Response:
    mock = current_mock()
    mock.faults.clear()
    return Response(status=204)


@blueprint.get("/faults/catalogue")
def faults_catalogue() -> Response:
    mock = current_mock()
    return _json({"errors": mock.faults.catalogue_json()})


@blueprint.get("/faults/<int:rule_id>")
def fault_get(rule_id: int) -> Response:
    mock = current_mock()
    rule = mock.faults.get(rule_id)
    if rule is None:
        return _error(404, f"no fault rule {rule_id}")
    return _json(rule.to_json())


@blueprint.delete("/faults/<int:rule_id>")
def fault_delete(rule_id: int) -> Response:
    mock = current_mock()
    if not mock.faults.remove(rule_id):
        return _error(404, f"no fault rule {rule_id}")
    return Response(status=204)


@blueprint.post("/users/<path:email>/<verb>")
def user_scenario(email: str, verb: str) -> Response:
    mock = current_mock()
    body = _body()
    if isinstance(body, Response):
        return body
    try:
        return _json(mock.users.run(email, verb, body))
    except ScenarioError as exc:
        return _error(exc.status, exc.message)


@blueprint.get("/users/<path:email>/otp")
def otp(email: str) -> Response:
    mock = current_mock()
    secret = mock.flavour.totp_secret(mock, email)
    if secret is None or not otp_codes.is_valid_secret(secret):
        return _error(404, f"no user {email!r} with a TOTP secret")
    now = mock.clock.time()
    return _json(
        {
            "otp": otp_codes.code_at(secret, now),
            "valid_for_seconds": otp_codes.PERIOD - int(now) % otp_codes.PERIOD,
            "next": otp_codes.code_at(secret, now + otp_codes.PERIOD),
        }
    )
