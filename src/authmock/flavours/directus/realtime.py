"""Directus 11.17.4's WebSocket servers: ``/websocket`` (realtime) and ``/graphql`` (graphql-ws).

Read from ``websocket/controllers/base.ts`` (upgrade: token from ``access_token`` query or the
session cookie, else ``strict`` refuses with 401 and ``handshake`` waits for an ``auth`` message;
``handleAuthRequest``; ``setTokenExpireTimer``), ``authenticate.ts``, ``messages.ts`` (the zod
schemas), ``errors.ts`` (``{"type","status":"error","error":{"code","message"},"uid"?}``),
``handlers/heartbeat.ts``, ``handlers/subscribe.ts`` and ``controllers/graphql.ts``.

Each socket is a ``SocketSession``: pure protocol logic that takes text frames and the mock
clock's time and leaves outgoing frames and a close request in its outbox. Two transports drive
it: ``RealtimeMiddleware`` (simple-websocket on Werkzeug's socket, polling the mock clock) and
``connect()`` (in-process, no network, for tests). Every service call runs in one store
transaction under the app context, like a request, and calls the same ``DirectusService``.

Every timer runs on the mock clock: the handshake's and re-authentication's
``WEBSOCKETS_*_AUTH_TIMEOUT``, the token's ``exp`` (the socket is told ``TOKEN_EXPIRED``, then
closed unless it authenticates again in time) and the heartbeat.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.realtime_config import RealtimeSettings
from authmock.flavours.directus.sessions import Accountability
from authmock.tokens import decode_unverified

if TYPE_CHECKING:
    from authmock.flavours.directus.state import Directus
    from authmock.mock import Mock

T = TypeVar("T")

#: graphql-ws's protocol name and close codes
GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"
_SUBPROTOCOL_NOT_ACCEPTABLE = E.GRAPHQL_WS_SUBPROTOCOL_NOT_ACCEPTABLE
_UNAUTHORIZED = E.GRAPHQL_WS_UNAUTHORIZED
_TOO_MANY_INITS = E.GRAPHQL_WS_TOO_MANY_INITS
#: ``ws.close()`` without a code: an empty close frame (the peer sees 1005)
NO_STATUS = 1005
#: zod 4's default e-mail pattern (z.string().email())
_ZOD_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$"
)

class AuthFailed(Exception):
    """``authenticateConnection``'s single failure (whatever went wrong inside)."""


def _ws_error(kind: str, code: str, message: str, uid: Any = None) -> str:
    """``WebSocketError.toMessage()``."""
    out: dict[str, Any] = {
        "type": kind,
        "status": "error",
        "error": {"code": code, "message": message},
    }
    if uid is not None:
        out["uid"] = uid
    return _dumps(out)


def _dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _fmt(kind: str, data: dict[str, Any] | None = None, uid: Any = None) -> str:
    """``fmtMessage``: type, the data's keys, then uid."""
    out: dict[str, Any] = {"type": kind, **(data or {})}
    if uid is not None:
        out["uid"] = uid
    return _dumps(out)


def _message_type(message: Any) -> str:
    """``getMessageType``."""
    if not isinstance(message, dict):
        return ""
    kind = message.get("type")
    if kind is None:
        return "undefined" if "type" not in message else "null"
    if isinstance(kind, bool):
        return "true" if kind else "false"
    return kind if isinstance(kind, str) else json.dumps(kind)


def _is_uid(message: dict[str, Any]) -> bool:
    uid = message.get("uid")
    return "uid" not in message or (
        isinstance(uid, (str, int, float)) and not isinstance(uid, bool)
    )


def _is_ws_message(message: Any) -> bool:
    """``WebSocketMessage``: an object whose ``type`` is a string, ``uid`` a string or number."""
    return isinstance(message, dict) and isinstance(message.get("type"), str) and _is_uid(message)


def _is_auth_message(message: Any) -> bool:
    """``WebSocketAuthMessage``: type ``auth`` and one of the three credential shapes."""
    if not _is_ws_message(message) or message["type"] != "auth":
        return False
    email, password = message.get("email"), message.get("password")
    if isinstance(email, str) and _ZOD_EMAIL.match(email) and isinstance(password, str):
        return True
    return isinstance(message.get("access_token"), str) or isinstance(
        message.get("refresh_token"), str
    )


def _zod_received(value: Any, present: bool = True) -> str:
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


def _zod_type_error(message: Any) -> str:
    """The ZodError Directus forwards for a parsed message that is no WebSocketMessage."""
    if not isinstance(message, dict):
        return E.msg_zod_expected("object", _zod_received(message), None)
    if not isinstance(message.get("type"), str):
        return E.msg_zod_expected(
            "string", _zod_received(message.get("type"), "type" in message), "type")
    return E.msg_zod_expected("string", _zod_received(message.get("uid")), "uid")


def _parse_json(text: str) -> Any:
    """``parseJSON``; raises ValueError as JSON.parse throws."""
    return json.loads(text)


class Realtime:
    """The WebSocket side of one Directus app: settings, the service, one lock."""

    def __init__(self, mock: Mock, api: Directus, settings: RealtimeSettings) -> None:
        self.mock = mock
        self.api = api
        self.settings = settings

    def now(self) -> float:
        return self.mock.clock.time()

    def call(self, fn: Callable[[], T]) -> T:
        """Run service code as a request would: app context, one store transaction."""
        with self.mock.app.app_context(), self.mock.store.transaction():
            return fn()

    # authenticate.ts -----------------------------------------------------------------------
    def authenticate(
        self, message: dict[str, Any]
    ) -> tuple[Accountability, float | None, str | None]:
        """``authenticateConnection``: (accountability, expires_at, refresh_token)."""

        def run() -> tuple[Accountability, float | None, str | None]:
            svc = self.api.svc
            access: Any = None
            refresh: str | None = None
            try:
                if "email" in message and "password" in message:
                    if self.api.settings.disable_default:
                        raise AuthFailed
                    email = message["email"]
                    user = svc.user_by_email(email) if isinstance(email, str) else None
                    issued = svc.login("default", user, message["password"], None, False)
                    access, refresh = issued.access_token, issued.refresh_token
                if "refresh_token" in message:
                    issued = svc.refresh(message["refresh_token"], False)
                    access, refresh = issued.access_token, issued.refresh_token
                if "access_token" in message:
                    access = message["access_token"]
                if not isinstance(access, str) or not access:
                    raise AuthFailed
                acc = svc.accountability_for(access)
            except (E.DirectusError, AuthFailed):
                raise AuthFailed from None
            return acc, expires_at(access), refresh

        return self.call(run)

    # upgrade ------------------------------------------------------------------------------
    def endpoint(self, path: str) -> str | None:
        """Which controller answers an upgrade to this pathname (exact, as ``url.parse``)."""
        s = self.settings
        if not s.enabled:
            return None
        if s.rest_enabled and path == s.rest_path:
            return "rest"
        if s.graphql_enabled and path == s.graphql_path:
            return "graphql"
        return None

    def open(self, kind: str, query_string: str, cookie_header: str | None,
             protocols: list[str]) -> SocketSession | None:
        """``handleUpgrade``, journaled as ``GET <path>`` with 101 or 401."""
        session = self._open(kind, query_string, cookie_header, protocols)
        self.mock.journal.record(
            "GET", self.path_of(kind), query_string, 401 if session is None else 101, self.now()
        )
        return session

    def path_of(self, kind: str) -> str:
        return self.settings.rest_path if kind == "rest" else self.settings.graphql_path

    def _open(self, kind: str, query_string: str, cookie_header: str | None,
              protocols: list[str]) -> SocketSession | None:
        """``handleUpgrade``: a session, or None for Directus's raw ``401 Unauthorized``."""
        mode = self.settings.rest_auth if kind == "rest" else self.settings.graphql_auth
        query = parse_qs(query_string, keep_blank_values=True)
        token: str | None = None
        query_token = query.get("access_token", [""])
        cookie_token = _cookie(cookie_header, self.api.settings.session_cookie_name)
        now = self.now()
        if mode == "strict" or (len(query_token) == 1 and query_token[0]) or len(query_token) > 1 \
                or cookie_token:
            if len(query_token) == 1 and query_token[0]:
                token = query_token[0]
            elif len(query_token) <= 1 and cookie_token:
                token = cookie_token
            if not token:
                return None
            try:
                acc, expires, _ = self.authenticate({"access_token": token})
            except AuthFailed:
                return None
            if not acc.user:
                return None
            return SocketSession(self, kind, mode, now, acc, expires, protocols)
        if mode == "handshake" and kind == "rest":
            return SocketSession(self, kind, mode, now, None, None, protocols, handshake=True)
        return SocketSession(self, kind, mode, now, Accountability(), None, protocols)


def expires_at(token: str) -> float | None:
    """``getExpiresAtForToken``: the ``exp`` claim of anything that decodes as a JWT."""
    decoded = decode_unverified(token)
    if not isinstance(decoded, tuple):
        return None
    exp = decoded[1].get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or not exp:
        return None
    return float(exp)


def _cookie(header: str | None, name: str) -> str | None:
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


@dataclass
class SocketSession:
    """One socket's protocol state; ``outbox`` holds frames to send, ``close`` the close."""

    rt: Realtime
    kind: str
    mode: str
    opened_at: float
    acc: Accountability | None
    expires: float | None
    protocols: list[str]
    handshake: bool = False
    outbox: list[str] = field(default_factory=list)
    close: tuple[int, str] | None = None
    #: mock-clock deadlines (None: not armed)
    handshake_deadline: float | None = None
    expiry_at: float | None = None
    reauth_deadline: float | None = None
    next_ping: float | None = None
    ping_unanswered: bool = False
    graphql_auth_deadline: float | None = None
    graphql_initialised: bool = False
    subscriptions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = self.rt.settings
        if self.handshake:
            self.handshake_deadline = self.opened_at + s.rest_timeout
            return
        if self.kind == "graphql":
            if self.protocol != GRAPHQL_TRANSPORT_WS:
                self._close(*_SUBPROTOCOL_NOT_ACCEPTABLE)
                return
            if self.mode == "strict" and not (self.acc and self.acc.user):
                self._close(*E.GRAPHQL_WS_FORBIDDEN)
                return
            if self.mode == "handshake":
                self.graphql_auth_deadline = self.opened_at + s.graphql_timeout
            return
        self._connected()

    @property
    def protocol(self) -> str:
        return self.protocols[0] if self.protocols else ""

    @property
    def closed(self) -> bool:
        return self.close is not None

    # lifecycle -----------------------------------------------------------------------------
    def _connected(self) -> None:
        """``createClient`` (REST): arm the expiry timer and join the heartbeat."""
        self._arm_expiry()
        if self.rt.settings.heartbeat_enabled:
            self.next_ping = self.rt.now() + self.rt.settings.heartbeat_period

    def _arm_expiry(self) -> None:
        self.expiry_at = self.expires if self.kind == "rest" else None

    def _send(self, text: str) -> None:
        if self.close is None:
            self.outbox.append(text)

    def _close(self, code: int = NO_STATUS, reason: str = "") -> None:
        if self.close is None:
            self.close = (code, reason)

    def next_deadline(self) -> float | None:
        times = [t for t in (self.handshake_deadline, self.expiry_at, self.reauth_deadline,
                             self.next_ping, self.graphql_auth_deadline) if t is not None]
        return min(times) if times else None

    def tick(self) -> None:
        """Fire every timer whose mock-clock time has come."""
        if self.closed:
            return
        now = self.rt.now()
        s = self.rt.settings
        if self.handshake_deadline is not None and now >= self.handshake_deadline:
            self.handshake_deadline = None
            self._handshake_failed()
            return
        if self.graphql_auth_deadline is not None and now >= self.graphql_auth_deadline:
            self.graphql_auth_deadline = None
            if not (self.acc and self.acc.user):
                self._close(*E.GRAPHQL_WS_FORBIDDEN)
                return
        if self.expiry_at is not None and now >= self.expiry_at:
            # setTokenExpireTimer's callback
            self.expiry_at = None
            self.acc = None
            self.expires = None
            self._send(_ws_error("auth", E.TOKEN_EXPIRED, E.MSG_TOKEN_EXPIRED))
            self.reauth_deadline = now + s.rest_timeout
        if self.reauth_deadline is not None and now >= self.reauth_deadline:
            self.reauth_deadline = None
            self._send(_ws_error("auth", E.AUTH_TIMEOUT, E.MSG_WS_AUTH_TIMEOUT))
            if self.mode != "public":
                self._close()
                return
        if self.next_ping is not None and now >= self.next_ping:
            # one round per look at the clock: a jump of many periods sends one ping and gives
            # the client a period (from now) to answer, as a steady clock would have
            if self.ping_unanswered:
                self._close()
                return
            self._send(_fmt("ping"))
            self.ping_unanswered = True
            self.next_ping = now + s.heartbeat_period

    # messages -------------------------------------------------------------------------------
    def receive(self, text: str) -> None:
        """One text frame from the client (journaled as ``WS <path>``, ``type=<its type>``)."""
        if self.closed:
            return
        self._journal(text)
        self.tick()
        if self.closed:
            return
        if self.handshake:
            self._handshake(text)
            return
        try:
            message = _parse_json(text)
        except ValueError:
            self._send(_ws_error("server", E.INVALID_PAYLOAD, E.MSG_WS_UNPARSABLE))
            return
        if self.kind == "graphql" and not _is_ws_message(message):
            # the base controller's parseMessage runs WebSocketMessage.parse on GraphQL sockets
            self._send(_ws_error("server", E.INVALID_PAYLOAD, E.MSG_WS_UNPARSABLE))
            return
        if self.reauth_deadline is not None and _is_ws_message(message) \
                and message["type"] == "auth":
            self.reauth_deadline = None  # waitForMessageType(client, "auth") resolved
        if _message_type(message) == "auth":
            if _is_auth_message(message):  # a failed zod parse is ignored without a word
                self._auth_request(message)
            return
        if self.kind == "graphql":
            self._graphql_message(message)
            return
        # the REST controller: WebSocketMessage.parse, then the "websocket.message" handlers
        if not _is_ws_message(message):
            self._send(_ws_error("server", E.INVALID_PAYLOAD, _zod_type_error(message)))
            return
        self.ping_unanswered = False
        kind = message["type"]
        if kind == "ping":
            self._send(_fmt(E.PONG, {"uid": message["uid"]} if "uid" in message else {}))
        elif kind in ("subscribe", "unsubscribe"):
            self._subscribe(message)

    def _journal(self, text: str) -> None:
        try:
            kind = _message_type(_parse_json(text))
        except ValueError:
            kind = ""
        self.rt.mock.journal.record(
            "WS", self.rt.path_of(self.kind), f"type={kind}", 101, self.rt.now()
        )

    def _handshake(self, text: str) -> None:
        """``handleHandshakeUpgrade``: the first message must authenticate."""
        self.handshake = False
        self.handshake_deadline = None
        try:
            payload = _parse_json(text)
        except ValueError:
            self._handshake_failed()
            return
        if _message_type(payload) != "auth" or not _is_auth_message(payload):
            self._handshake_failed()
            return
        try:
            acc, expires, refresh = self.rt.authenticate(payload)
        except AuthFailed:
            self._handshake_failed()
            return
        self._send(_auth_ok(payload.get("uid"), refresh))
        self.acc, self.expires = acc, expires
        self._connected()

    def _handshake_failed(self) -> None:
        self._send(_ws_error("auth", E.AUTH_FAILED, E.MSG_WS_HANDSHAKE_FAILED))
        self._close()

    def _auth_request(self, message: dict[str, Any]) -> None:
        """``handleAuthRequest``."""
        try:
            acc, expires, refresh = self.rt.authenticate(message)
        except AuthFailed:
            self.acc = None
            self.expires = None
            self.expiry_at = None
            self._send(_ws_error("auth", E.AUTH_FAILED, E.MSG_WS_AUTH_FAILED, message.get("uid")))
            if self.mode != "public":
                self._close()
            return
        self.acc, self.expires = acc, expires
        self._arm_expiry()
        self._send(_auth_ok(message.get("uid"), refresh))

    # subscribe.ts (fixture collections, read through the REST items code) -----------------
    def _subscribe(self, message: dict[str, Any]) -> None:
        uid = message.get("uid")
        if message["type"] == "unsubscribe":
            if uid is not None:
                self.subscriptions.pop(str(uid), None)
            else:
                self.subscriptions.clear()
            self._send(_fmt("subscription", {"event": "unsubscribe"}, uid))
            return
        collection = message.get("collection")
        if not isinstance(collection, str):
            received = _zod_received(collection, "collection" in message)
            self._send(_ws_error("subscribe", E.INVALID_PAYLOAD,
                                 E.msg_zod_expected("string", received, "collection")))
            return
        acc = self.acc or Accountability()
        api = self.rt.api
        if not acc.admin and collection not in api.svc.seed.collections:
            self._send(
                _ws_error("subscribe", E.INVALID_COLLECTION, E.MSG_WS_INVALID_COLLECTION, uid)
            )
            return
        if uid is not None:
            self.subscriptions[str(uid)] = collection
        if "event" in message:
            self._send(_fmt("subscription", {"event": "init"}, None if uid is None else str(uid)))
            return

        def read() -> list[dict[str, Any]]:
            from authmock.flavours.directus.items import collection_rows

            rows, perm = collection_rows(api, acc, collection)
            fields = None if perm is None or "*" in perm["fields"] else perm["fields"]
            wanted = _query_fields(message.get("query"))
            return [{k: v for k, v in r.items()
                     if (fields is None or k in fields) and (wanted is None or k in wanted)}
                    for r in rows[:100]]

        try:
            data = self.rt.call(read)
        except E.DirectusError as err:
            self._send(_ws_error("subscribe", err.code, err.message))
            return
        self._send(_fmt("subscription", {"event": "init", "data": data},
                        None if uid is None else str(uid)))

    # controllers/graphql.ts + graphql-ws (as far as authentication goes) --------------------
    def _graphql_message(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init" and self.mode != "strict":
            payload = message.get("payload")
            params = payload if isinstance(payload, dict) else {}
            token = params.get("access_token")
            if self.mode == "handshake":
                if isinstance(token, str):
                    try:
                        acc, expires, _ = self.rt.authenticate({"access_token": token})
                    except AuthFailed:
                        self._send(_ws_error("auth", E.AUTH_FAILED, E.MSG_WS_AUTH_FAILED,
                                             message.get("uid")))
                        return
                    self.acc, self.expires = acc, expires
                else:
                    self._close(*E.GRAPHQL_WS_FORBIDDEN)
                    return
        elif self.mode == "handshake" and not (self.acc and self.acc.user):
            self._close(*E.GRAPHQL_WS_FORBIDDEN)
            return
        # graphql-ws's own handling
        if kind == "connection_init":
            if self.graphql_initialised:
                self._close(*_TOO_MANY_INITS)
                return
            self.graphql_initialised = True
            self._send(_dumps({"type": "connection_ack"}))
        elif kind == "ping":
            pong: dict[str, Any] = {"type": E.PONG}
            if "payload" in message:
                pong["payload"] = message["payload"]
            self._send(_dumps(pong))
        elif kind == "subscribe":
            if not self.graphql_initialised:
                self._close(*_UNAUTHORIZED)
                return
            self._graphql_operation(message)

    def _graphql_operation(self, message: dict[str, Any]) -> None:
        """A query or mutation over graphql-ws: ``next`` then ``complete`` (subscriptions are
        not served; their operation gets the executor's error)."""
        from graphql import GraphQLError, execute, parse, validate

        from authmock.flavours.directus.graphql import GqlContext, _formatted, _process_error
        from authmock.flavours.directus.state import Ctx

        op_id = message.get("id")
        raw_payload = message.get("payload")
        payload: dict[str, Any] = raw_payload if isinstance(raw_payload, dict) else {}
        acc = self.acc or Accountability()
        api = self.rt.api
        query = payload.get("query")
        try:
            document = parse(query if isinstance(query, str) else "")
        except GraphQLError as err:
            self._send(_dumps({"id": op_id, "type": "error", "payload": [_formatted(err)]}))
            return
        schema = api.graphql.schema("items", acc)
        errors = validate(schema, document)
        if errors:
            self._send(_dumps({"id": op_id, "type": "error",
                               "payload": [_formatted(e) for e in errors]}))
            return
        variables = payload.get("variables")
        op_name = payload.get("operationName")

        def run() -> Any:
            ctx = Ctx(body={}, token=None, acc=acc)
            return execute(schema, document, context_value=GqlContext(api, ctx, acc),
                           variable_values=variables if isinstance(variables, dict) else None,
                           operation_name=op_name if isinstance(op_name, str) else None)

        result = self.rt.call(run)
        out: dict[str, Any] = {}
        if result.data:
            out["data"] = result.data
        if result.errors:
            out["errors"] = [_process_error(acc, e) for e in result.errors]
        self._send(_dumps({"id": op_id, "type": "next", "payload": out}))
        self._send(_dumps({"id": op_id, "type": "complete"}))

    def take(self) -> list[str]:
        out, self.outbox = self.outbox, []
        return out


def _query_fields(query: Any) -> list[str] | None:
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


def _auth_ok(uid: Any, refresh: str | None) -> str:
    """``authenticationSuccess``."""
    out: dict[str, Any] = {"type": "auth", "status": "ok"}
    if uid is not None:
        out["uid"] = uid
    if refresh is not None:
        out["refresh_token"] = refresh
    return _dumps(out)


# transports -----------------------------------------------------------------------------------
class RealtimeMiddleware:
    """WSGI middleware: WebSocket upgrades to a Directus socket path, everything else to Flask.

    Runs outside Flask's dispatch so an open socket never holds the store lock; each message
    takes it for its own service calls only. Works with Werkzeug's threaded dev server (the one
    ``authmock serve`` and the pytest plugin's live server run): simple-websocket takes the raw
    socket from ``environ["werkzeug.socket"]``.
    """

    #: how often (real seconds) an idle socket looks at the mock clock for due timers
    POLL = 0.05

    def __init__(self, wsgi_app: Any, realtime: Realtime) -> None:
        self.wsgi_app = wsgi_app
        self.realtime = realtime
        self._live: set[Any] = set()
        self._guard = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket" and "werkzeug.socket" in environ:
            kind = self.realtime.endpoint(environ.get("PATH_INFO", ""))
            if kind is not None:
                return self._serve(environ, start_response, kind)
        result: Iterable[bytes] = self.wsgi_app(environ, start_response)
        return result

    def _serve(self, environ: dict[str, Any], start_response: Any, kind: str) -> Iterable[bytes]:
        import simple_websocket

        offered = [p.strip() for p in environ.get("HTTP_SEC_WEBSOCKET_PROTOCOL", "").split(",")
                   if p.strip()]
        session = self.realtime.open(
            kind, environ.get("QUERY_STRING", ""), environ.get("HTTP_COOKIE"), offered[:1],
        )
        if session is None:  # socket.write("HTTP/1.1 401 Unauthorized\r\n\r\n")
            start_response("401 Unauthorized", [("Content-Length", "0"), ("Connection", "close")])
            return [b""]
        ws = simple_websocket.Server(environ, subprotocols=offered[:1] or None)
        with self._guard:
            self._live.add(ws)
        try:
            self._pump(ws, session)
        finally:
            # end the TCP connection too: Werkzeug would otherwise keep it alive and wait for
            # another HTTP request on it, and a client waiting for the server to hang up (as
            # undici's WebSocket does) would never see its close event
            with contextlib.suppress(OSError):
                environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            with self._guard:
                self._live.discard(ws)
        # Werkzeug must not write an HTTP response on the upgraded socket (as flask-sock does)
        raise ConnectionError("websocket closed")

    def _pump(self, ws: Any, session: SocketSession) -> None:
        import simple_websocket

        lock = self.realtime.mock.store.lock
        try:
            while True:
                with lock:
                    session.tick()
                    frames = session.take()
                for frame in frames:
                    ws.send(frame)
                if session.close is not None:
                    code, reason = session.close
                    ws.close(reason=code, message=reason or None)
                    # wait for the client's closing frame: shutting the TCP socket before it
                    # arrives makes the kernel reset the connection, and the client may lose
                    # the frames sent just before the close
                    ws.thread.join(timeout=2)
                    return
                data = ws.receive(timeout=self.POLL)
                if data is None:
                    continue
                with lock:
                    session.receive(
                        data if isinstance(data, str) else data.decode("utf-8", "replace")
                    )
        except simple_websocket.ConnectionClosed:
            return


class InProcessSocket:
    """A Directus socket without the network (``connect()``): send, receive, closed."""

    def __init__(self, realtime: Realtime, session: SocketSession) -> None:
        self._rt = realtime
        self._session = session
        self._inbox: list[Any] = []

    def send(self, message: Any) -> None:
        """Send a dict/list (as JSON) or raw text."""
        text = message if isinstance(message, str) else json.dumps(message)
        with self._rt.mock.store.lock:
            self._session.receive(text)
            self._inbox.extend(json.loads(t) for t in self._session.take())

    def receive(self) -> Any:
        """The next message the server sent (timers due on the mock clock fire first), or None."""
        with self._rt.mock.store.lock:
            self._session.tick()
            self._inbox.extend(json.loads(t) for t in self._session.take())
        return self._inbox.pop(0) if self._inbox else None

    def receive_all(self) -> list[Any]:
        out = []
        while (message := self.receive()) is not None:
            out.append(message)
        return out

    @property
    def close_code(self) -> tuple[int, str] | None:
        """(code, reason) once the server closed the socket; 1005 for a close without code."""
        with self._rt.mock.store.lock:
            self._session.tick()
            self._inbox.extend(json.loads(t) for t in self._session.take())
        return self._session.close


class UpgradeRefused(Exception):
    """The server answered the upgrade with ``401 Unauthorized`` (strict mode, bad token)."""


def connect(app: Any, path: str = "/websocket", *, query: str = "", cookie: str | None = None,
            protocols: list[str] | None = None) -> InProcessSocket:
    """Open a socket on an app in-process (no network): ``connect(directus_mock.app)``."""
    flask_app = getattr(app, "app", app)
    realtime: Realtime = flask_app.extensions["authmock.directus.realtime"]
    kind = realtime.endpoint(path)
    if kind is None:
        raise ValueError(f"no WebSocket server at {path!r} (WEBSOCKETS_* settings)")
    if kind == "graphql" and protocols is None:
        protocols = [GRAPHQL_TRANSPORT_WS]
    session = realtime.open(kind, query, cookie, (protocols or [])[:1])
    if session is None:
        raise UpgradeRefused("401 Unauthorized")
    return InProcessSocket(realtime, session)


def install(mock: Mock, api: Directus, settings: RealtimeSettings) -> None:
    """Mount the WebSocket servers on the app (``setup`` calls this once)."""
    realtime = Realtime(mock, api, settings)
    mock.app.extensions["authmock.directus.realtime"] = realtime

    def opener(path: str = settings.rest_path, **options: Any) -> InProcessSocket:
        return connect(mock.app, path, **options)

    mock.app.extensions["authmock.websocket"] = opener  # the pytest fixture's .websocket()
    mock.app.wsgi_app = RealtimeMiddleware(mock.app.wsgi_app, realtime)  # type: ignore[method-assign]
