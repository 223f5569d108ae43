"""pytest plugin: a ``<name>_mock`` fixture for every installed flavour (entry points of
the ``authmock.flavours`` group): ``dreamfactory_mock``, ``directus_mock``, ``paystub_mock``,
and a third-party flavour package's too.

Apps are built once per session (per flavour, fixture file and profile) and reset before every
test, which costs microseconds; a live server for ``.url`` starts on first use and then serves
the whole session. ``@pytest.mark.authmock(fixtures=..., profile=...)`` gives a test (or a
module, through ``pytestmark``) an app with other fixtures (a path, found next to the test file
or else under the rootdir, or a dict) or the ``server`` profile;
``cors=False`` gives the product's own CORS default instead of authmock's loopback CORS;
``faults=[{"match": {...}, "error": ...}, ...]`` installs fault rules for that test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported on first use: a run that uses no authmock fixture pays nothing
    from flask.testing import FlaskClient

    from authmock.mock import Mock, MockFlask
    from authmock.server import LiveServer

MARKER = "authmock"


class MockFixture:
    """The control handle of one flavour app plus ``.client`` and ``.url`` for this test."""

    def __init__(self, session: _Session, app: MockFlask) -> None:
        self._session = session
        self.app = app
        self.mock: Mock = app.mock
        self.clock = self.mock.clock
        self.mailbox = self.mock.mailbox
        self.journal = self.mock.journal
        self.faults = self.mock.faults
        self.users = self.mock.users
        self.store = self.mock.store
        self.flavour = self.mock.name
        self.profile = self.mock.profile
        self._client: FlaskClient | None = None

    def reset(self) -> None:
        self.mock.reset()

    def otp(self, email: str) -> str | None:
        """The TOTP code the user's authenticator shows now (on the mock clock)."""
        return self.mock.otp(email)

    @property
    def client(self) -> FlaskClient:
        """A Flask test client (fresh cookie jar per test)."""
        if self._client is None:
            self._client = self.app.test_client()
        return self._client

    def requests_session(self, base_url: str = "http://localhost") -> Any:
        """A ``requests.Session`` calling this app in-process: ``.post("/auth/login", ...)``."""
        return self.mock.requests_session(base_url)

    def httpx_client(self, base_url: str = "http://localhost", **kwargs: Any) -> Any:
        """An ``httpx.Client`` calling this app in-process."""
        return self.mock.httpx_client(base_url, **kwargs)

    def httpx_async_client(self, base_url: str = "http://localhost", **kwargs: Any) -> Any:
        """An ``httpx.AsyncClient`` calling this app in-process."""
        return self.mock.httpx_async_client(base_url, **kwargs)

    @property
    def url(self) -> str:
        """Base URL of a live threaded server for this app, e.g. ``http://127.0.0.1:54321``."""
        return self._session.live(self.app).url

    def websocket(self, path: str | None = None, **options: Any) -> Any:
        """Open a WebSocket in-process (no network), for flavours that serve one (Directus:
        ``directus_mock.websocket()`` is ``/websocket``, ``websocket("/graphql")`` graphql-ws)."""
        opener = self.app.extensions.get("authmock.websocket")
        if opener is None:
            raise TypeError(f"the {self.flavour} flavour serves no WebSocket")
        return opener(path, **options) if path is not None else opener(**options)


class _Session:
    def __init__(self) -> None:
        self._apps: dict[tuple[str, str, str | None, bool | None], MockFlask] = {}
        self._servers: dict[int, LiveServer] = {}

    def app(
        self,
        flavour: str,
        fixtures: str | Path | Mapping[str, Any] | None,
        profile: str | None,
        cors: bool | None = None,
    ) -> MockFlask:
        if isinstance(fixtures, Mapping):
            key = json.dumps(fixtures, sort_keys=True)
        else:
            key = str(Path(fixtures).resolve()) if fixtures is not None else ""
        cache_key = (flavour, key, profile, cors)
        app = self._apps.get(cache_key)
        if app is None:
            from authmock.app import create_app

            app = self._apps[cache_key] = create_app(
                flavour, fixtures=fixtures, profile=profile, cors=cors
            )
        return app

    def live(self, app: MockFlask) -> LiveServer:
        server = self._servers.get(id(app))
        if server is None:
            from authmock.server import LiveServer

            server = self._servers[id(app)] = LiveServer(app).start()
        return server

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


def _fixture_flavour(fixtures: str | Path | Mapping[str, Any]) -> str | None:
    if isinstance(fixtures, Mapping):
        flavour = fixtures.get("flavour")
        return flavour if isinstance(flavour, str) else None
    from authmock.fixtures import read_fixture_file

    return read_fixture_file(fixtures, shared=False).flavour  # the app reports every problem


def _resolve(
    fixtures: str | Path | Mapping[str, Any] | None, request: pytest.FixtureRequest
) -> str | Path | Mapping[str, Any] | None:
    """A relative marker path names a file next to the test file, else under the rootdir
    (so ``cd tests && pytest`` finds the same file as ``pytest`` from the root)."""
    if fixtures is None or isinstance(fixtures, Mapping) or Path(fixtures).is_absolute():
        return fixtures
    for base in (request.path.parent, request.config.rootpath):
        candidate = base / fixtures
        if candidate.is_file():
            return candidate
    return request.config.rootpath / fixtures  # not found: the error names this path


def _make(request: pytest.FixtureRequest, session: _Session, flavour: str) -> MockFixture:
    fixtures: str | Path | Mapping[str, Any] | None = None
    profile: str | None = None
    rules: list[Any] = []
    cors: bool | None = None
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # closest marker wins
        rules.extend(marker.kwargs.get("faults") or [])
        wanted = _resolve(marker.kwargs.get("fixtures"), request)
        if wanted is not None and _fixture_flavour(wanted) == flavour:
            fixtures = wanted
        if marker.kwargs.get("profile") is not None:
            profile = marker.kwargs["profile"]
        if marker.kwargs.get("cors") is not None:  # cors=False: the product's own CORS default
            cors = bool(marker.kwargs["cors"])
    app = session.app(flavour, fixtures, profile, cors)
    app.mock.reset()
    for rule in rules:  # module rules first, then the test's; FaultError names a bad one
        if isinstance(rule, Mapping):
            app.mock.faults.add_json(rule)
        else:
            raise TypeError(f"authmock marker: faults=[...] takes rule dicts, not {rule!r}")
    return MockFixture(session, app)


@pytest.fixture(scope="session")
def authmock_session() -> Iterator[_Session]:
    """Apps and live servers shared by the whole test session."""
    session = _Session()
    yield session
    session.close()


def mock_fixture(flavour: str, doc: str = "") -> Any:
    """A function-scoped pytest fixture for ``flavour`` (works for third-party flavours too).

    ``my_mock = mock_fixture("myflavour")`` in a conftest.py defines ``my_mock``.
    """

    def fixture(request: pytest.FixtureRequest, authmock_session: _Session) -> MockFixture:
        return _make(request, authmock_session, flavour)

    fixture.__doc__ = doc or f"{flavour} fake, reset before the test: .client, .url, .clock, ..."
    fixture.__name__ = f"{flavour}_mock"
    return pytest.fixture(fixture)


_METHODS = ".client, .url, .clock, .mailbox, .journal, .faults, .reset()"
#: what ``pytest --fixtures`` says of the bundled flavours' fixtures
_PRODUCTS = {
    "dreamfactory": "DreamFactory fake",
    "directus": "Directus fake",
    "paystub": "Paystub admin API fake",
}


def _installed_flavours() -> list[str]:
    """Names of the installed flavours, read from the entry points' metadata: no flavour (and
    no Flask) is imported until a test asks for its fixture.

    Every pytest run pays this, so only distributions whose ``entry_points.txt`` names the
    group get parsed (``entry_points(group=...)`` parses every one's: 2-3x slower). As there,
    the first distribution of a name on ``sys.path`` wins.
    """
    from importlib.metadata import distributions

    names: set[str] = set()
    seen: set[str] = set()
    for dist in distributions():
        key = getattr(dist, "_normalized_name", None) or dist.metadata["Name"]
        if key in seen:
            continue
        seen.add(key)
        text = dist.read_text("entry_points.txt")
        if text and "[authmock.flavours]" in text:
            names.update(ep.name for ep in dist.entry_points if ep.group == "authmock.flavours")
    return sorted(names)


def _define_fixtures(namespace: dict[str, Any]) -> None:
    """``<name>_mock`` for every installed flavour, this package's and third parties' alike."""
    for name in _installed_flavours():
        fixture_name = f"{name}_mock"
        if not fixture_name.isidentifier() or fixture_name in namespace:
            continue  # not a Python name, or taken: mock_fixture() in a conftest names it
        product = _PRODUCTS.get(name, f"{name} fake")
        namespace[fixture_name] = mock_fixture(
            name, f"{product} (bundled fixtures), reset before the test: {_METHODS}"
        )


_define_fixtures(globals())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(fixtures=None, profile=None, cors=None, faults=None): use another fixture "
        "file (a path, relative to the test file or else the rootdir, or a dict; either over "
        "the bundled fixture), the 'server' profile or (cors=False) the product's own CORS "
        "default for the authmock fixtures of this test or module; faults=[rule dicts] "
        "installs fault rules for it",
    )
