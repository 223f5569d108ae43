"""The official @directus/sdk (pinned in sdk/package-lock.json) against a live authmock.

The test installs the SDK itself (``npm ci``) when ``sdk/node_modules`` is missing, so CI needs
only Node.js and npm on the machine; a failed install fails the test rather than skipping it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SDK_DIR = Path(__file__).parent / "sdk"
ADMIN_ID = "0b4f5a60-0000-4000-8000-000000000001"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH; the Directus SDK check needs Node.js 20+ and npm")
    return path


def _installed_version() -> str | None:
    manifest = SDK_DIR / "node_modules" / "@directus" / "sdk" / "package.json"
    if not manifest.is_file():
        return None
    version: str | None = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    return version


def _pinned_version() -> str:
    lock = json.loads((SDK_DIR / "package-lock.json").read_text(encoding="utf-8"))
    version: str = lock["packages"]["node_modules/@directus/sdk"]["version"]
    return version


def _install_sdk() -> None:
    if _installed_version() == _pinned_version():
        return
    result = subprocess.run(
        [_tool("npm"), "ci", "--no-audit", "--no-fund", "--engine-strict=false"],
        cwd=SDK_DIR, capture_output=True, text=True, timeout=600, check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`npm ci` in {SDK_DIR.name}/ failed (exit {result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    assert _installed_version() == _pinned_version(), "npm ci did not install the pinned SDK"


def _node_flags() -> list[str]:
    """Node 20 has a WebSocket global only behind a flag; 22 has it by default."""
    version = subprocess.run(
        [_tool("node"), "--version"], capture_output=True, text=True, check=True
    )
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    return ["--experimental-websocket"] if major < 22 else []


def _run_sdk(url: str, script: str = "run.mjs") -> dict[str, Any]:
    _install_sdk()
    result = subprocess.run(
        [_tool("node"), *_node_flags(), script, url],
        cwd=SDK_DIR, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, f"run.mjs failed:\n{result.stdout}\n{result.stderr}"
    output: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return output


def test_official_sdk_round_trip(directus_mock: Any) -> None:
    directus_mock.clock.freeze()  # the script computes TOTP codes; no 30 s step may pass between
    seen = _run_sdk(directus_mock.url)

    assert seen["login"] == {
        "access_token": "string",
        "refresh_token_length": 64,
        "expires": 900000,
    }
    assert seen["me"] == {"id": ADMIN_ID, "email": "admin@example.com"}
    assert seen["refresh"] == {"rotated": True, "refresh_token_length": 64, "expires": 900000}
    assert seen["old_refresh"] == {
        "ok": False, "directus": True, "status": 401,
        "message": "Invalid user credentials.", "code": "INVALID_CREDENTIALS",
    }
    assert seen["me_after_refresh"] == {"id": ADMIN_ID}
    assert seen["token_after_logout"] is None
    assert seen["refresh_after_logout"]["code"] == "INVALID_CREDENTIALS"
    assert seen["wrong_password"] == {
        "ok": False, "directus": True, "status": 401,
        "message": "Invalid user credentials.", "code": "INVALID_CREDENTIALS",
    }
    assert seen["static_me"] == {"email": "admin@example.com"}
    assert seen["public_articles"] == [
        {"id": 1, "status": "published"},
        {"id": 2, "status": "published"},
    ]
    # the SDK's requests reached authmock in this order, each with the status Directus gives
    paths = [(e["method"], e["path"], e["status"]) for e in directus_mock.journal.entries()]
    assert paths[:10] == [
        ("POST", "/auth/login", 200), ("GET", "/users/me", 200), ("POST", "/auth/refresh", 200),
        ("POST", "/auth/refresh", 401), ("GET", "/users/me", 200), ("POST", "/auth/logout", 204),
        ("POST", "/auth/refresh", 401), ("POST", "/auth/login", 401), ("GET", "/users/me", 200),
        ("GET", "/items/articles", 200),
    ]
    _assert_account_flows(seen, paths[10:])


EDITOR_ROLE = "a1f2c3d4-0000-4000-8000-000000000002"


def _assert_account_flows(seen: dict[str, Any], paths: list[tuple[str, str, int]]) -> None:
    """registerUser, inviteUser, acceptUserInvite, createUser, updateMe and the TFA commands."""
    assert seen["register_verify"] == {"status": 302, "to_admin_user": True}
    assert seen["registered_me"] == {
        "email": "sdk.user@example.com",
        "first_name": "Sdk",
        "status": "active",
        "role": EDITOR_ROLE,
    }
    assert seen["invitee_me"] == {"email": "sdk.invitee@example.com", "status": "active"}
    assert seen["created"] == {
        "email": "sdk.created@example.com",
        "role": EDITOR_ROLE,
        "status": "active",
    }
    assert seen["duplicate"] == {
        "ok": False,
        "directus": True,
        "status": 400,
        "code": "RECORD_NOT_UNIQUE",
        "message": 'Value "[sdk.created@example.com]" for field "email" in collection '
                   '"directus_users" '
        "has to be unique.",
    }
    assert seen["updated_me"] == {"first_name": "Robot"}
    assert seen["tfa_generate"] == {
        "secret_length": 16,
        "url": "otpauth://totp/Directus:admin%40example.com?secret=<secret>&period=30&digits=6"
               "&algorithm=SHA1&issuer=Directus",
    }
    assert seen["tfa_wrong_otp"] == {
        "ok": False, "directus": True, "status": 400, "code": "INVALID_PAYLOAD",
        "message": 'Invalid payload. "otp" is invalid.',
    }
    assert seen["login_without_otp"]["code"] == "INVALID_OTP"
    assert seen["served_otp_matches"] is True
    assert seen["login_with_otp"] == "string"
    assert seen["tfa_after_disable"] == {"tfa_secret": None}
    assert paths == [
        ("PATCH", "/settings", 200),
        ("POST", "/users/register", 204),
        ("GET", "/users/register/verify-email", 302),
        ("POST", "/auth/login", 200),
        ("GET", "/users/me", 200),
        ("POST", "/users/invite", 204),
        ("POST", "/users/invite/accept", 204),
        ("POST", "/auth/login", 200),
        ("GET", "/users/me", 200),
        ("POST", "/users", 200),
        ("POST", "/users", 400),
        ("PATCH", "/users/me", 200),
        ("POST", "/auth/login", 200),
        ("POST", "/users/me/tfa/generate", 200),
        ("POST", "/users/me/tfa/enable", 400),
        ("POST", "/users/me/tfa/enable", 204),
        ("POST", "/auth/login", 401),
        ("POST", "/auth/login", 200),
        ("POST", "/users/me/tfa/disable", 204),
        ("GET", "/users/me", 200),
    ]


def test_official_sdk_graphql_and_realtime(directus_mock: Any) -> None:
    directus_mock.clock.freeze()
    seen = _run_sdk(directus_mock.url, "realtime.mjs")

    assert seen["gql_login"] == {
        "access_token": "string",
        "refresh_token_length": 64,
        "expires": "900000",
    }
    assert seen["gql_me"] == {"id": ADMIN_ID, "email": "admin@example.com"}
    assert seen["gql_refresh"] == {"rotated": True, "expires": "900000"}
    assert seen["gql_old_refresh"]["message"] == "Invalid user credentials."
    assert seen["gql_old_refresh"]["code"] == "INVALID_CREDENTIALS"
    assert seen["gql_old_refresh"]["data"] == {"auth_refresh": None}
    assert seen["gql_wrong_password"]["code"] == "INVALID_CREDENTIALS"
    assert seen["gql_articles"] == [
        {"id": "1", "status": "published"},
        {"id": "2", "status": "published"},
    ]
    assert seen["rt_connected"] is True
    assert seen["rt_subscribe"]["type"] == "subscription"
    assert seen["rt_subscribe"]["event"] == "init"
    assert [row["id"] for row in seen["rt_subscribe"]["data"]] == [1, 2, 3]
    assert set(seen["rt_subscribe"]["data"][0]) == {"id", "status"}
    assert seen["rt_after_expiry"] == ["TOKEN_EXPIRED", "AUTH_FAILED"]
    assert seen["rt_closed"] is True
    assert seen["rt_reconnected"] is True
