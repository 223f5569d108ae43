"""One Directus WebSocket's protocol state: ``SocketSession`` (see ``realtime.py``).

Pure protocol logic: it takes text frames and the mock clock's time and leaves outgoing frames
and a close request in its outbox; the transports in ``realtime.py`` drive it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.realtime_messages import (
    GRAPHQL_TRANSPORT_WS,
    NO_STATUS,
    SUBPROTOCOL_NOT_ACCEPTABLE,
    TOO_MANY_INITS,
    UNAUTHORIZED,
    AuthFailed,
    auth_ok,
    dumps,
    fmt,
    is_auth_message,
    is_ws_message,
    message_type,
    parse_json,
    query_fields,
    ws_error,
    zod_received,
    zod_type_error,
)
from authmock.flavours.directus.sessions import Accountability

if TYPE_CHECKING:
    from authmock.flavours.directus.realtime import Realtime


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
                self._close(*SUBPROTOCOL_NOT_ACCEPTABLE)
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
            self._send(ws_error("auth", E.TOKEN_EXPIRED, E.MSG_TOKEN_EXPIRED))
            self.reauth_deadline = now + s.rest_timeout
        if self.reauth_deadline is not None and now >= self.reauth_deadline:
            self.reauth_deadline = None
            self._send(ws_error("auth", E.AUTH_TIMEOUT, E.MSG_WS_AUTH_TIMEOUT))
            if self.mode != "public":
                self._close()
                return
        if self.next_ping is not None and now >= self.next_ping:
            # one round per look at the clock: a jump of many periods sends one ping and gives
            # the client a period (from now) to answer, as a steady clock would have
            if self.ping_unanswered:
                self._close()
                return
            self._send(fmt("ping"))
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
            message = parse_json(text)
        except ValueError:
            self._send(ws_error("server", E.INVALID_PAYLOAD, E.MSG_WS_UNPARSABLE))
            return
        if self.kind == "graphql" and not is_ws_message(message):
            # the base controller's parseMessage runs WebSocketMessage.parse on GraphQL sockets
            self._send(ws_error("server", E.INVALID_PAYLOAD, E.MSG_WS_UNPARSABLE))
            return
        if self.reauth_deadline is not None and is_ws_message(message) \
                and message["type"] == "auth":
            self.reauth_deadline = None  # waitForMessageType(client, "auth") resolved
        if message_type(message) == "auth":
            if is_auth_message(message):  # a failed zod parse is ignored without a word
                self._auth_request(message)
            return
        if self.kind == "graphql":
            self._graphql_message(message)
            return
        # the REST controller: WebSocketMessage.parse, then the "websocket.message" handlers
        if not is_ws_message(message):
            self._send(ws_error("server", E.INVALID_PAYLOAD, zod_type_error(message)))
            return
        self.ping_unanswered = False
        kind = message["type"]
        if kind == "ping":
            self._send(fmt(E.PONG, {"uid": message["uid"]} if "uid" in message else {}))
        elif kind in ("subscribe", "unsubscribe"):
            self._subscribe(message)

    def _journal(self, text: str) -> None:
        try:
            kind = message_type(parse_json(text))
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
            payload = parse_json(text)
        except ValueError:
            self._handshake_failed()
            return
        if message_type(payload) != "auth" or not is_auth_message(payload):
            self._handshake_failed()
            return
        try:
            acc, expires, refresh = self.rt.authenticate(payload)
        except AuthFailed:
            self._handshake_failed()
            return
        self._send(auth_ok(payload.get("uid"), refresh))
        self.acc, self.expires = acc, expires
        self._connected()

    def _handshake_failed(self) -> None:
        self._send(ws_error("auth", E.AUTH_FAILED, E.MSG_WS_HANDSHAKE_FAILED))
        self._close()

    def _auth_request(self, message: dict[str, Any]) -> None:
        """``handleAuthRequest``."""
        try:
            acc, expires, refresh = self.rt.authenticate(message)
        except AuthFailed:
            self.acc = None
            self.expires = None
            self.expiry_at = None
            self._send(ws_error("auth", E.AUTH_FAILED, E.MSG_WS_AUTH_FAILED, message.get("uid")))
            if self.mode != "public":
                self._close()
            return
        self.acc, self.expires = acc, expires
        self._arm_expiry()
        self._send(auth_ok(message.get("uid"), refresh))

    # subscribe.ts (fixture collections, read through the REST items code) -----------------
    def _subscribe(self, message: dict[str, Any]) -> None:
        uid = message.get("uid")
        if message["type"] == "unsubscribe":
            if uid is not None:
                self.subscriptions.pop(str(uid), None)
            else:
                self.subscriptions.clear()
            self._send(fmt("subscription", {"event": "unsubscribe"}, uid))
            return
        collection = message.get("collection")
        if not isinstance(collection, str):
            received = zod_received(collection, "collection" in message)
            self._send(ws_error("subscribe", E.INVALID_PAYLOAD,
                                 E.msg_zod_expected("string", received, "collection")))
            return
        acc = self.acc or Accountability()
        api = self.rt.api
        if not acc.admin and collection not in api.svc.seed.collections:
            self._send(
                ws_error("subscribe", E.INVALID_COLLECTION, E.MSG_WS_INVALID_COLLECTION, uid)
            )
            return
        if uid is not None:
            self.subscriptions[str(uid)] = collection
        if "event" in message:
            self._send(fmt("subscription", {"event": "init"}, None if uid is None else str(uid)))
            return

        def read() -> list[dict[str, Any]]:
            from authmock.flavours.directus.items import collection_rows

            rows, perm = collection_rows(api, acc, collection)
            fields = None if perm is None or "*" in perm["fields"] else perm["fields"]
            wanted = query_fields(message.get("query"))
            return [{k: v for k, v in r.items()
                     if (fields is None or k in fields) and (wanted is None or k in wanted)}
                    for r in rows[:100]]

        try:
            data = self.rt.call(read)
        except E.DirectusError as err:
            self._send(ws_error("subscribe", err.code, err.message))
            return
        self._send(fmt("subscription", {"event": "init", "data": data},
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
                        self._send(ws_error("auth", E.AUTH_FAILED, E.MSG_WS_AUTH_FAILED,
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
                self._close(*TOO_MANY_INITS)
                return
            self.graphql_initialised = True
            self._send(dumps({"type": "connection_ack"}))
        elif kind == "ping":
            pong: dict[str, Any] = {"type": E.PONG}
            if "payload" in message:
                pong["payload"] = message["payload"]
            self._send(dumps(pong))
        elif kind == "subscribe":
            if not self.graphql_initialised:
                self._close(*UNAUTHORIZED)
                return
            self._graphql_operation(message)

    def _graphql_operation(self, message: dict[str, Any]) -> None:
        """A query or mutation over graphql-ws: ``next`` then ``complete`` (subscriptions are
        not served; their operation gets the executor's error)."""
        from graphql import GraphQLError, execute, parse, validate

        from authmock.flavours.directus.graphql import format_error, process_error
        from authmock.flavours.directus.graphql_resolvers import GqlContext
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
            self._send(dumps({"id": op_id, "type": "error", "payload": [format_error(err)]}))
            return
        schema = api.graphql.schema("items", acc)
        errors = validate(schema, document)
        if errors:
            self._send(dumps({"id": op_id, "type": "error",
                               "payload": [format_error(e) for e in errors]}))
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
            out["errors"] = [process_error(acc, e) for e in result.errors]
        self._send(dumps({"id": op_id, "type": "next", "payload": out}))
        self._send(dumps({"id": op_id, "type": "complete"}))

    def take(self) -> list[str]:
        out, self.outbox = self.outbox, []
        return out
