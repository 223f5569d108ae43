"""The pytest plugin, exercised in a separate pytest run (pytester) with the toy flavour."""

from __future__ import annotations

import pytest

CONFTEST = """
import tests.core.toy
from authmock.pytest_plugin import mock_fixture
from tests.core.toy import TOY_FIXTURES
toy_mock = mock_fixture("toy")
"""


def _run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(source)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")


def test_state_is_reset_between_tests_but_the_app_is_reused(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
import pytest
from tests.core.toy import TOY_FIXTURES
apps = []

@pytest.mark.authmock(fixtures=TOY_FIXTURES)
@pytest.mark.parametrize("round", [1, 2])
def test_login(toy_mock, round):
    apps.append(toy_mock.app)
    assert toy_mock.client.post("/login/a@example.com").json["logins"] == 1
    assert len(toy_mock.mailbox.messages()) == 1
    toy_mock.clock.advance("2d")
    assert apps[0] is toy_mock.app
""")
    result.assert_outcomes(passed=2)


def test_marker_profile_and_live_url(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
import json, urllib.request
import pytest
from tests.core.toy import TOY_FIXTURES

pytestmark = pytest.mark.authmock(fixtures=TOY_FIXTURES)

@pytest.mark.authmock(profile="server")
def test_server_profile(toy_mock):
    assert toy_mock.profile == "server"
    with urllib.request.urlopen(toy_mock.url + "/__authmock__/health") as r:
        assert json.loads(r.read())["profile"] == "server"

def test_docs_profile_and_same_server_all_session(toy_mock):
    assert toy_mock.profile == "docs"
    assert toy_mock.url == toy_mock.url
    toy_mock.client.post("/login/b@example.com")
    with urllib.request.urlopen(toy_mock.url + "/__authmock__/mailbox") as r:
        assert [m["to"] for m in json.loads(r.read())["messages"]] == ["b@example.com"]
""")
    result.assert_outcomes(passed=2)


def test_bundled_fixtures_are_listed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest_inprocess("--fixtures", "-p", "no:cacheprovider")
    for name in ("dreamfactory_mock", "directus_mock", "paystub_mock"):
        result.stdout.fnmatch_lines([f"{name} -- *"])


def test_marker_faults_install_rules_for_one_test(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
import pytest
from tests.core.toy import TOY_FIXTURES

pytestmark = pytest.mark.authmock(
    fixtures=TOY_FIXTURES, faults=[{"match": {"path": "/check"}, "respond": {"status": 503}}]
)

@pytest.mark.authmock(faults=[{"match": {"path": "/login/*"}, "error": "NO_SUCH_USER"}])
def test_with_rules(toy_mock):
    assert [r["id"] for r in toy_mock.faults.rules()] == [1, 2]
    assert toy_mock.client.get("/check").status_code == 503
    assert toy_mock.client.post("/login/a@example.com").status_code == 401

def test_module_rule_only(toy_mock):
    assert toy_mock.client.post("/login/a@example.com").status_code == 200
    assert toy_mock.client.get("/check").status_code == 503

@pytest.mark.authmock(faults=[{"match": {"path": "/x"}, "error": "NOPE"}])
def test_bad_rule_is_an_error(toy_mock):
    pass
""")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*FaultError: unknown error 'NOPE'; this flavour's errors: NO_SUCH_USER*"]
    )
