"""A live threaded server that starts and stops in milliseconds.

Werkzeug's ``serve_forever`` polls for shutdown every 0.5 s; here the accept loop also waits on
a wake-up pipe, so ``stop()`` returns as soon as the loop sees it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import selectors
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from authmock.app import Mock, MockFlask, create_app
from authmock.faults import DropConnection


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class QuietHandler(WSGIRequestHandler):
    """No access log, no ``Server: Werkzeug`` header (the real products don't send it)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "server":
            return
        super().send_header(keyword, value)

    def run_wsgi(self) -> None:
        """A ``drop`` fault rule: close the connection without writing a byte."""
        try:
            super().run_wsgi()
        except DropConnection:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def send_response(self, code: int, message: str | None = None) -> None:
        """http.server's, without its own ``Server`` and ``Date``: the app sends ``Date`` (on the
        mock clock, after the product's headers), and a second one would contradict it."""
        self.log_request(code)
        self.send_response_only(code, message)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header on the app's mock clock, like cookie ``Expires`` and tokens."""
        if timestamp is None:
            mock = getattr(getattr(self.server, "app", None), "mock", None)
            clock = getattr(mock, "clock", None)
            if clock is not None:
                timestamp = clock.time()
        return super().date_time_string(timestamp)

    def make_environ(self) -> dict[str, Any]:
        """Werkzeug's, with the request target's bytes kept as they came.

        Werkzeug's dev server re-encodes raw non-ASCII bytes of the request line as UTF-8
        (``/ÿ`` arrived as ``/Ã¿``), decodes %-escapes that are not UTF-8 to U+FFFD and drops
        a slash of ``//x`` (as http.server does). WSGI wants the bytes themselves as latin-1
        characters.
        """
        environ: dict[str, Any] = super().make_environ()
        # the target as sent: http.server decoded the request line as latin-1 (so these are the
        # raw bytes) and then cut a leading '//' of self.path down to '/'
        words = self.requestline.split()
        target = words[1] if len(words) == 3 else self.path
        if target.startswith("/"):  # origin form, '//x' included
            path = target.split("?", 1)[0].split("#", 1)[0]
        else:  # absolute form
            path = urlsplit(target).path
        environ["PATH_INFO"] = unquote_to_bytes(path.encode("latin-1")).decode("latin-1")
        environ["REQUEST_URI"] = environ["RAW_URI"] = target
        return environ


# query parameters whose values are credentials in one product or another (access_token,
# session_token, api_key, code, state, password, ...): never written to a log line
_SECRET_PARAM = re.compile(r"token|key|pass|secret|code|session|auth|sig|otp|hash|state|jwt", re.I)


def redact_request_line(line: str) -> str:
    """The request line with every credential-like query value replaced by ``***``."""
    method, sep, rest = line.partition(" ")
    target, sep2, version = rest.rpartition(" ") if " " in rest else (rest, "", "")
    path, question, query = target.partition("?")
    if not question:
        return line
    pairs = []
    for pair in query.split("&"):
        name, equals, _value = pair.partition("=")
        pairs.append(f"{name}=***" if equals and _SECRET_PARAM.search(name) else pair)
    return f"{method}{sep}{path}?{'&'.join(pairs)}{sep2}{version}"


class LoggingHandler(QuietHandler):
    """One line per request, prefixed with the flavour, for `authmock serve`."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        app = self.server.app
        name = getattr(getattr(app, "mock", None), "name", "?")
        line = redact_request_line(self.requestline)
        sys.stderr.write(f"[{name}] {self.address_string()} \"{line}\" {code}\n")
        sys.stderr.flush()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; OSError (e.g. EADDRINUSE) is left to the caller to word."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


class LiveServer:
    """A running app: ``.url`` plus the app's control handle (``.clock``, ``.reset()``, ...)."""

    def __init__(
        self,
        app: MockFlask,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        handler: type[WSGIRequestHandler] = QuietHandler,
    ) -> None:
        self.app = app
        self.mock: Mock = app.mock
        sock = bind(host, port)
        try:
            self._server: BaseWSGIServer = make_server(
                host, sock.getsockname()[1], app, threaded=True,
                request_handler=handler, fd=sock.fileno(),
            )
        finally:
            sock.close()  # werkzeug dup()ed it
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        self.host = host
        self.port: int = self._server.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}"
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def __getattr__(self, name: str) -> Any:
        # the control handle's attributes (.clock, .mailbox, .journal, .faults, .reset, ...)
        return getattr(self.mock, name)

    def swap(self, app: MockFlask) -> None:
        """Serve ``app`` from the next request on (``--watch`` after a fixture reload)."""
        self._server.app = app
        self.app = app
        self.mock = app.mock

    def start(self) -> LiveServer:
        self._thread = threading.Thread(
            target=self._serve, name=f"authmock-{self.mock.name}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._server.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in selector.select():
                    if key.fileobj == self._wake_r:
                        return
                    self._server._handle_request_noblock()  # type: ignore[attr-defined]

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server.server_close()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self) -> LiveServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def run_in_thread(
    flavour: str | MockFlask,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    **create_kwargs: Any,
) -> Iterator[LiveServer]:
    """Serve a flavour (or an app already made) on a background thread for the block.

    On a non-loopback host without a control token, one is generated (``server.control_token``).
    """
    if isinstance(flavour, MockFlask):
        app = flavour
    else:
        if not is_loopback(host) and create_kwargs.get("control_token") is None:
            import secrets  # not the seeded source: a control token must not be guessable

            create_kwargs["control_token"] = secrets.token_urlsafe(24)
        app = create_app(flavour, **create_kwargs)
    with LiveServer(app, host, port) as server:
        yield server
