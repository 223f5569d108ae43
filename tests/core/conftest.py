from __future__ import annotations

import pytest

import authmock
from authmock.app import MockFlask
from tests.core.toy import TOY_FIXTURES


@pytest.fixture
def app() -> MockFlask:
    return authmock.create_app("toy", fixtures=TOY_FIXTURES, seed=1)
