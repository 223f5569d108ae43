"""The plugin's fixtures come from the installed flavours' entry points: a flavour package
installed next to authmock gets its ``<name>_mock`` without any conftest code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _install_toy_package(site: Path) -> None:
    """What ``pip install`` leaves of a package declaring ``toy`` in ``authmock.flavours``."""
    dist = site / "authmock_toy-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: authmock-toy\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[authmock.flavours]\ntoy = tests.core.toy:Toy\n")


@pytest.fixture
def toy_installed(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    site = pytester.path / "site"
    _install_toy_package(site)
    path = os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")])
    monkeypatch.setenv("PYTHONPATH", path)


@pytest.mark.usefixtures("toy_installed")
def test_an_installed_flavour_gets_its_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest
from tests.core.toy import TOY_FIXTURES

@pytest.mark.authmock(fixtures=TOY_FIXTURES)
def test_login(toy_mock):
    assert toy_mock.flavour == "toy"
    assert toy_mock.client.post("/login/a@example.com").json["logins"] == 1
    assert [m.to for m in toy_mock.mailbox.messages()] == ["a@example.com"]
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)


@pytest.mark.usefixtures("toy_installed")
def test_an_installed_flavour_brings_its_bundled_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
def test_login(toy_mock):
    assert toy_mock.client.post("/login/b@example.com").json["logins"] == 1
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)
    printed = pytester.run(sys.executable, "-m", "authmock", "fixture", "toy")
    assert printed.ret == 0, printed.stderr.str()
    assert '"email": "b@example.com"' in printed.stdout.str()


@pytest.mark.usefixtures("toy_installed")
def test_the_installed_flavour_is_listed_with_the_bundled_ones(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest_subprocess("--fixtures", "-p", "no:cacheprovider")
    for name in ("toy_mock", "dreamfactory_mock", "directus_mock", "paystub_mock"):
        result.stdout.fnmatch_lines([f"{name} -- *"])
    result.stdout.fnmatch_lines(["*toy fake (bundled fixtures), reset before the test*"])


def test_without_the_package_there_is_no_toy_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses(toy_mock): pass")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'toy_mock' not found*"])


def test_loading_the_plugin_imports_no_flavour_and_no_flask() -> None:
    code = (
        "import sys, authmock.pytest_plugin as p\n"
        "assert hasattr(p, 'directus_mock')\n"
        "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith('authmock.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['authmock.pytest_plugin']"
