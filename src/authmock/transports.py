"""In-process transports: the user's own ``requests`` or ``httpx`` code talks to an app with no
socket, no thread and no port, and sees what the live server would send (status, headers,
cookies, redirects, and fault rules' ``drop`` and ``delay_ms``).

A ``drop`` raises the client library's own error for a server that closed the connection
without answering (``requests.ConnectionError``, ``httpx.RemoteProtocolError``); a ``delay_ms``
is waited out by the transport after the app answered (``asyncio.sleep`` in the async client),
and a read timeout shorter than the delay raises the library's read timeout, as over a socket.

``requests`` and ``httpx`` are optional (extras ``authmock[requests]``, ``authmock[httpx]``);
each is imported only when its transport is asked for.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from email.message import Message
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from werkzeug.test import EnvironBuilder, run_wsgi_app

from authmock.faults import DEFERRED_DELAY, DropConnection

_T = TypeVar("_T")

if TYPE_CHECKING:
    import httpx
    import requests
    from requests.adapters import HTTPAdapter

    from authmock.app import MockFlask

DEFAULT_BASE_URL = "http://localhost"


def _deferring(call: Callable[[], _T]) -> tuple[_T | DropConnection, float]:
    """Run ``call`` with rules' delays deferred: (its result, or the DropConnection a
    ``drop`` raised, and the seconds the caller must wait before seeing it)."""
    box: list[float] = []
    token = DEFERRED_DELAY.set(box)
    try:
        try:
            result: _T | DropConnection = call()
        except DropConnection as dropped:
            result = dropped
    finally:
        DEFERRED_DELAY.reset(token)
    return result, sum(box)


def _read_timeout(timeout: Any) -> float | None:
    """The read part of a ``requests`` timeout (a number or a (connect, read) pair)."""
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else None
    return float(timeout) if isinstance(timeout, (int, float)) else None


def _missing(package: str, extra: str) -> ImportError:
    return ImportError(f"{package} is not installed: pip install 'authmock[{extra}]'")


def _call_app(
    app: MockFlask, method: str, url: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run one request through the WSGI app as a server would hand it over."""
    parts = urlsplit(url)
    builder = EnvironBuilder(
        path="/", base_url=f"{parts.scheme}://{parts.netloc}", method=method,
        headers=headers, data=body or None, query_string=parts.query or None,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    # the raw path, as a server reads it off the request line (percent-decoded as latin-1)
    raw_path = parts.path or "/"
    environ["PATH_INFO"] = unquote_to_bytes(raw_path).decode("latin-1")
    query = f"?{parts.query}" if parts.query else ""
    environ["REQUEST_URI"] = environ["RAW_URI"] = raw_path + query
    environ["REMOTE_ADDR"] = "127.0.0.1"
    app_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    try:
        content = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return int(status.split(" ", 1)[0]), list(response_headers.items()), content


# --- requests -----------------------------------------------------------------------------
class _OriginalResponse:
    """What ``requests`` reads cookies from (``http.client.HTTPResponse.msg``)."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = Message()
        for name, value in headers:
            self.msg[name] = value

    def isclosed(self) -> bool:
        return True

    def close(self) -> None:
        pass


def _requests_adapter(app: MockFlask) -> HTTPAdapter:
    try:
        from http.client import RemoteDisconnected

        from requests.adapters import HTTPAdapter
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import ReadTimeout
        from urllib3 import HTTPResponse
        from urllib3._collections import HTTPHeaderDict  # keeps repeated Set-Cookie headers
        from urllib3.exceptions import ProtocolError
    except ImportError:
        raise _missing("requests", "requests") from None

    class WSGIAdapter(HTTPAdapter):
        """A ``requests`` transport adapter that calls the WSGI app instead of a socket."""

        def send(self, request: Any, stream: bool = False, timeout: Any = None,
                 verify: Any = True, cert: Any = None, proxies: Any = None) -> Any:
            body = request.body
            if body is None:
                data = b""
            elif isinstance(body, str):
                data = body.encode("utf-8")
            elif isinstance(body, bytes):
                data = body
            else:  # a file or generator
                data = b"".join(
                    chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                    for chunk in (iter(lambda: body.read(65536), b"")
                                  if hasattr(body, "read") else body)
                )
            answer, delay = _deferring(lambda: _call_app(
                app, request.method, request.url, list(request.headers.items()), data
            ))
            limit = _read_timeout(timeout)
            if limit is not None and delay > limit:
                time.sleep(limit)
                raise ReadTimeout(f"Read timed out. (read timeout={limit})", request=request)
            if delay:
                time.sleep(delay)
            if isinstance(answer, DropConnection):  # what requests raises for a closed socket
                raise RequestsConnectionError(ProtocolError(
                    "Connection aborted.",
                    RemoteDisconnected("Remote end closed connection without response"),
                ), request=request)
            status, headers, content = answer
            raw = HTTPResponse(
                body=io.BytesIO(content), headers=HTTPHeaderDict(headers), status=status,
                preload_content=False, decode_content=False,
                original_response=_OriginalResponse(headers),  # type: ignore[arg-type]
                request_method=request.method, request_url=request.url,
            )
            return self.build_response(request, raw)

    return WSGIAdapter()


def requests_session(app: MockFlask, base_url: str = DEFAULT_BASE_URL) -> requests.Session:
    """A ``requests.Session`` whose requests to ``base_url`` go straight to ``app``.

    Relative URLs (``session.post("/auth/login")``) are joined to ``base_url``; the session keeps
    cookies and follows redirects as usual.
    """
    try:
        import requests
    except ImportError:
        raise _missing("requests", "requests") from None
    base = base_url.rstrip("/")

    class InProcessSession(requests.Session):
        def request(self, method: str, url: str | bytes, *args: Any,
                    **kwargs: Any) -> requests.Response:
            if isinstance(url, str) and url.startswith("/"):
                url = urljoin(base + "/", url.lstrip("/"))
            return super().request(method, url, *args, **kwargs)

    session = InProcessSession()
    # no proxies, no ~/.netrc for an app that is never reached over the network (and each
    # request skips reading the environment for them)
    session.trust_env = False
    session.mount(base + "/", _requests_adapter(app))
    return session


# --- httpx --------------------------------------------------------------------------------
def httpx_client(app: MockFlask, base_url: str = DEFAULT_BASE_URL, **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` on httpx's own WSGI transport (cookies, redirects as httpx does)."""
    try:
        import httpx
    except ImportError:
        raise _missing("httpx", "httpx") from None
    return httpx.Client(transport=_httpx_transport(app), base_url=base_url, **kwargs)


def _httpx_read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout", {}).get("read")
    return float(timeout) if isinstance(timeout, (int, float)) else None


def _httpx_transport(app: MockFlask) -> Any:
    """httpx's WSGI transport, with ``drop``/``delay_ms`` as a live server shows them (an
    ``httpx.WSGITransport`` with ``answer``/``settle`` for the async client; httpx is imported
    only here, so the class is built here)."""
    import httpx

    class InProcessTransport(httpx.WSGITransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response, delay = self.answer(request)
            limit = _httpx_read_timeout(request)
            if limit is not None and delay > limit:
                time.sleep(limit)
                raise httpx.ReadTimeout("timed out", request=request)
            if delay:
                time.sleep(delay)
            return self.settle(response, request)

        def answer(self, request: httpx.Request) -> tuple[httpx.Response | DropConnection, float]:
            """The app's answer (or a drop) and the delay a rule asked for, not yet waited."""
            inner = super().handle_request
            return _deferring(lambda: inner(request))

        @staticmethod
        def settle(response: httpx.Response | DropConnection,
                   request: httpx.Request) -> httpx.Response:
            if isinstance(response, DropConnection):  # httpx's error for a closed socket
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                )
            return response

    return InProcessTransport(app=app, remote_addr="127.0.0.1")


def httpx_async_client(
    app: MockFlask, base_url: str = DEFAULT_BASE_URL, **kwargs: Any
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for async code: each request runs the WSGI app inline (the app
    answers in microseconds; ``asyncio`` code under test still awaits as usual)."""
    try:
        import httpx
    except ImportError:
        raise _missing("httpx", "httpx") from None
    import asyncio

    sync = _httpx_transport(app)

    class AsyncWSGITransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            body = await request.aread()
            inner = httpx.Request(request.method, request.url, headers=request.headers,
                                  content=body, extensions=request.extensions)
            answer, delay = sync.answer(inner)
            limit = _httpx_read_timeout(request)
            if limit is not None and delay > limit:
                await asyncio.sleep(limit)
                raise httpx.ReadTimeout("timed out", request=request)
            if delay:
                await asyncio.sleep(delay)  # the loop keeps running, as on a socket
            response = sync.settle(answer, request)
            content = response.read()
            return httpx.Response(response.status_code, headers=response.headers,
                                  content=content, extensions=response.extensions)

    return httpx.AsyncClient(transport=AsyncWSGITransport(), base_url=base_url, **kwargs)
