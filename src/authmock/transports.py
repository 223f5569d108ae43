"""In-process transports: the user's own ``requests`` or ``httpx`` code talks to an app with no
socket, no thread and no port, and sees what the live server would send (status, headers,
cookies, redirects).

``requests`` and ``httpx`` are optional (extras ``authmock[requests]``, ``authmock[httpx]``);
each is imported only when its transport is asked for.
"""

from __future__ import annotations

import io
from email.message import Message
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from werkzeug.test import EnvironBuilder, run_wsgi_app

if TYPE_CHECKING:
    import httpx
    import requests
    from requests.adapters import HTTPAdapter

    from authmock.app import MockFlask

DEFAULT_BASE_URL = "http://localhost"


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
        from requests.adapters import HTTPAdapter
        from urllib3 import HTTPResponse
        from urllib3._collections import HTTPHeaderDict  # keeps repeated Set-Cookie headers
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
            status, headers, content = _call_app(
                app, request.method, request.url, list(request.headers.items()), data
            )
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
    transport = httpx.WSGITransport(app=app, remote_addr="127.0.0.1")
    return httpx.Client(transport=transport, base_url=base_url, **kwargs)


def httpx_async_client(
    app: MockFlask, base_url: str = DEFAULT_BASE_URL, **kwargs: Any
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for async code: each request runs the WSGI app inline (the app
    answers in microseconds; ``asyncio`` code under test still awaits as usual)."""
    try:
        import httpx
    except ImportError:
        raise _missing("httpx", "httpx") from None
    sync = httpx.WSGITransport(app=app, remote_addr="127.0.0.1")

    class AsyncWSGITransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            body = await request.aread()
            inner = httpx.Request(request.method, request.url, headers=request.headers,
                                  content=body, extensions=request.extensions)
            response = sync.handle_request(inner)
            content = response.read()
            return httpx.Response(response.status_code, headers=response.headers,
                                  content=content, extensions=response.extensions)

    return httpx.AsyncClient(transport=AsyncWSGITransport(), base_url=base_url, **kwargs)
