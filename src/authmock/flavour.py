"""What a flavour is: the contract between the core and one product's fake.

The core never imports a flavour. Flavours are found through the ``authmock.flavours`` entry
point group (or registered with ``register()``), and the core only calls the methods below.
"""

from __future__ import annotations

import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from flask import Request, Response

if TYPE_CHECKING:
    from authmock.faults import CatalogueEntry
    from authmock.fixtures import FixtureFile
    from authmock.inspector import SessionInfo, UserInfo
    from authmock.mock import Mock
    from authmock.schema import FixtureSchema


class FaultHooks(Protocol):
    """A flavour's fault-injection module (``flavours/<name>/faults.py``): the three hooks
    below, as module-level functions."""

    def error_catalogue(self, mock: Mock, /) -> Mapping[str, CatalogueEntry]: ...
    def request_user(self, mock: Mock, request: Request, /) -> str | None: ...
    def user_scenario(
        self, mock: Mock, email: str, verb: str, body: Mapping[str, Any], /
    ) -> dict[str, Any]: ...


class InspectHooks(Protocol):
    """A flavour's inspector module (``flavours/<name>/inspect.py``)."""

    def users(self, mock: Mock, /) -> list[UserInfo]: ...
    def sessions(self, mock: Mock, /) -> list[SessionInfo]: ...
    def revoke(self, mock: Mock, session_id: str, /) -> bool: ...


class Flavour(ABC):
    #: name used on the command line, in fixture files and in the control API
    name: str
    #: the real product's usual port
    default_port: int
    #: bodies larger than this are refused before the route runs (render_error(413))
    max_content_length: int | None = None
    #: the product's reason phrases where they differ from the usual ones (``{413: "..."}``);
    #: the status line otherwise says ``404 Not Found``, not Werkzeug's ``404 NOT FOUND``
    reason_phrases: ClassVar[Mapping[int, str]] = {}
    #: the user states the inspector offers to switch a user to (the product's own words)
    user_statuses: ClassVar[tuple[str, ...]] = ()
    #: the declared fixture (``authmock.schema.FixtureSchema``): with one, the core overlays
    #: fixture files on the bundled one, reports every problem at once, and publishes the
    #: JSON Schema; without one, ``parse_fixtures`` checks the document by hand
    fixture_schema: ClassVar[FixtureSchema | None] = None
    #: ``{session table: (users table, the session row's field holding the user's key)}``:
    #: what ``--watch`` keeps across a fixture reload, for users that still exist
    session_tables: ClassVar[Mapping[str, tuple[str, str]]] = {}
    #: the module answering ``error_catalogue``/``request_user``/``user_scenario`` (None: no
    #: named errors, no user resolution, no scenarios); a flavour may override the methods
    fault_hooks: ClassVar[FaultHooks | None] = None
    #: the module answering ``inspect_users``/``inspect_sessions``/``revoke_session``
    inspect_hooks: ClassVar[InspectHooks | None] = None
    #: the bundled fixture file, relative to the directory of the module that defines the
    #: flavour class (its package's ``__init__.py``, or a module of that package):
    #: ``fixture.json`` by convention, its JSON Schema next to it as ``fixture.schema.json``
    bundled_fixture: ClassVar[str] = "fixture.json"

    def bundled_fixture_path(self) -> Path:
        """Where this flavour's bundled fixture is: found from the flavour's own package, so
        a flavour installed from another distribution brings its fixture along."""
        module = sys.modules[type(self).__module__]
        return Path(module.__file__ or ".").resolve().parent / self.bundled_fixture

    @abstractmethod
    def parse_fixtures(self, fixture: FixtureFile) -> Any:
        """Validate ``fixture.data`` and return this flavour's seed object.

        Raise ``fixture.error(json_path, problem)`` on the first problem.
        """

    @abstractmethod
    def setup(self, mock: Mock) -> None:
        """Create store tables from ``mock.seed`` and register routes on ``mock.app``."""

    @abstractmethod
    def render_error(self, status: int, error: BaseException | None) -> Response:
        """The product's own envelope for 404/405/413/500 and other HTTP errors."""

    def banner(self, mock: Mock, url: str) -> list[str]:
        """Lines `authmock serve` prints under the URL: what a newcomer needs to log in."""
        return []

    def cors_summary(self, mock: Mock) -> str:
        """The banner's CORS line: which origins may call. A flavour whose fixture's own CORS
        settings rule over ``mock.cors`` (or whose product default is not "none") says so."""
        return mock.cors.describe()

    def totp_secret(self, mock: Mock, email: str) -> str | None:
        """The TOTP secret of the user with this e-mail, for the control API's otp route."""
        return None

    def on_reset(self, mock: Mock) -> None:
        """Clear state kept outside the store (the store and clock are reset by the core)."""
        return None

    # the inspector (GET /__authmock__/users, /sessions) --------------------------------------
    def inspect_users(self, mock: Mock) -> list[UserInfo]:
        """Every user with an e-mail: role, status, provider, whether it has a TOTP secret."""
        return self.inspect_hooks.users(mock) if self.inspect_hooks else []

    def inspect_sessions(self, mock: Mock) -> list[SessionInfo]:
        """Sessions and tokens the product would still recognise, expired ones included."""
        return self.inspect_hooks.sessions(mock) if self.inspect_hooks else []

    def revoke_session(self, mock: Mock, session_id: str) -> bool:
        """Make the product refuse that session/token as it refuses a revoked one; False if
        no such id."""
        return self.inspect_hooks.revoke(mock, session_id) if self.inspect_hooks else False

    def error_catalogue(self, mock: Mock) -> Mapping[str, CatalogueEntry]:
        """Named errors fault rules can send (``{"TOKEN_EXPIRED": CatalogueEntry(...)}``),
        each rendered exactly as the product sends it when that really happens."""
        return self.fault_hooks.error_catalogue(mock) if self.fault_hooks else {}

    def request_user(self, mock: Mock, request: Request) -> str | None:
        """The e-mail the request's credentials (any kind the product takes) belong to.

        Called before the route, for ``match.user`` and the journal; must not write.
        """
        return self.fault_hooks.request_user(mock, request) if self.fault_hooks else None

    def user_scenario(
        self, mock: Mock, email: str, verb: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run a user scenario (``expire_sessions``, ``revoke_sessions``, ``status``,
        ``lockout``) inside a store transaction; raise ``authmock.scenarios.ScenarioError``
        (404 unknown user, 400 bad value naming the allowed ones). Returns extra JSON."""
        if self.fault_hooks is not None:
            return self.fault_hooks.user_scenario(mock, email, verb, body)
        from authmock.scenarios import ScenarioError

        raise ScenarioError(404, f"the {self.name} flavour has no user scenarios")


_registry: dict[str, Flavour] = {}
_lock = threading.Lock()


def register(flavour: Flavour) -> None:
    with _lock:
        _registry[flavour.name] = flavour


@cache
def _entry_points() -> tuple[EntryPoint, ...]:
    """The ``authmock.flavours`` entry points, read once a process: each read scans every
    installed distribution's metadata (milliseconds), and the CLI asks several times."""
    return tuple(entry_points(group="authmock.flavours"))


def available() -> list[str]:
    """Names of every flavour installed (entry points) or registered by hand."""
    names = {ep.name for ep in _entry_points()}
    return sorted(names | set(_registry))


def get(name: str) -> Flavour:
    """The flavour called ``name``, importing only that one; KeyError names the known ones."""
    with _lock:
        found = _registry.get(name)
    if found is not None:
        return found
    for ep in _entry_points():
        if ep.name != name:
            continue
        loaded: Any = ep.load()
        instance: Flavour = loaded() if isinstance(loaded, type) else loaded
        register(instance)
        return instance
    raise KeyError(f"unknown flavour {name!r} (known: {', '.join(available()) or 'none'})")
