"""authmock.mock: the one control-path test, and the names authmock.app still offers."""

from __future__ import annotations

import os

import pytest

import authmock.app
import authmock.mock
from authmock.mock import CONTROL_PREFIX, is_control_path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/__authmock__", True),
        ("/__authmock__/", True),
        ("/__authmock__/health", True),
        ("/__authmock__/directus/idp/github", True),
        ("/__authmockx", False),
        ("/__authmock__x/health", False),
        ("/api/__authmock__/health", False),
        ("/", False),
        ("", False),
    ],
)
def test_control_paths_are_the_prefix_and_its_subtree(path: str, expected: bool) -> None:
    assert is_control_path(path) is expected


def test_app_module_reexports_the_same_objects() -> None:
    for name in ("Mock", "MockFlask", "current_mock", "CONTROL_PREFIX", "is_control_path"):
        assert getattr(authmock.app, name) is getattr(authmock.mock, name)
    assert CONTROL_PREFIX == "/__authmock__"


def test_automatic_options_lists_allow_in_http_order_whatever_the_hash_seed() -> None:
    """Werkzeug gives a rule's methods as a set; the answer must not change between runs."""
    import subprocess
    import sys

    code = (
        "from authmock import create_app\n"
        "c = create_app('dreamfactory').test_client()\n"
        "print(c.options('/api/v2/user/session').headers['Allow'])\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert seen == {"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"}


@pytest.mark.parametrize(
    ("flavour", "path", "headers"),
    [
        ("directus", "/items/a%0A/e", {}),
        ("dreamfactory", "/api/v2/db/_table/a%0A", {}),
    ],
)
def test_a_line_feed_in_a_path_segment_still_reaches_the_products_router(
    flavour: str, path: str, headers: dict[str, str]
) -> None:
    """Found by Schemathesis: Werkzeug's ``path`` converter stopped at %0A, so these answered
    "no such route"; the products route them like any other segment (as %0D is routed)."""
    client = authmock.app.create_app(flavour).test_client()
    line_feed = client.get(path, headers=headers)
    carriage_return = client.get(path.replace("%0A", "%0D"), headers=headers)
    assert line_feed.status_code == carriage_return.status_code != 404
