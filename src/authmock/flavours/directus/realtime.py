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
import socket
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.realtime_config import RealtimeSettings
from authmock.flavours.directus.realtime_messages import (
    GRAPHQL_TRANSPORT_WS,
    AuthFailed,
    cookie_value,
    expires_at,
)
from authmock.flavours.directus.realtime_session import SocketSession
from authmock.flavours.directus.sessions import Accountability

if TYPE_CHECKING:
    from authmock.flavours.directus.state import Directus
    from authmock.mock import Mock

T = TypeVar("T")

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
        cookie_token = cookie_value(cookie_header, self.api.settings.session_cookie_name)
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
