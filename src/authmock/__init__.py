"""authmock: offline fakes of the DreamFactory, Directus and Paystub authentication APIs.

Public API: ``create_app``, ``run_in_thread``, and the control handle ``Mock`` (``app.mock``).
"""

from authmock.app import Mock, MockFlask, create_app, current_mock
from authmock.fixtures import FixtureError
from authmock.server import LiveServer, run_in_thread

__version__ = "0.1.0"

__all__ = [
    "FixtureError",
    "LiveServer",
    "Mock",
    "MockFlask",
    "__version__",
    "create_app",
    "current_mock",
    "run_in_thread",
]
