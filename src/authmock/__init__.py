"""authmock: offline fakes of the DreamFactory, Directus and Paystub authentication APIs.

Public API: ``create_app``, ``run_in_thread``, the control handle ``Mock`` (``app.mock``), and
``bundled_fixture`` to derive fixture variants; ``DropConnection``, ``FaultError`` and
``ScenarioError`` from fault rules and user scenarios.
"""

from authmock.app import Mock, MockFlask, create_app, current_mock
from authmock.faults import DropConnection, FaultError
from authmock.fixtures import FixtureError, bundled_fixture
from authmock.scenarios import ScenarioError
from authmock.server import LiveServer, run_in_thread

__version__ = "0.1.0"

__all__ = [
    "DropConnection",
    "FaultError",
    "FixtureError",
    "LiveServer",
    "Mock",
    "MockFlask",
    "ScenarioError",
    "__version__",
    "bundled_fixture",
    "create_app",
    "current_mock",
    "run_in_thread",
]
