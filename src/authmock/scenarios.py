"""User scenarios: put one user in a state the product can reach, through its own code paths.

``mock.users.expire_sessions(email)``, ``revoke_sessions(email)``, ``status(email, status)``
and ``lockout(email)`` (and ``POST /__authmock__/users/<email>/<verb>``) ask the flavour's
``user_scenario`` hook, inside one store transaction: a refused scenario changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authmock.mock import Mock

VERBS = ("expire_sessions", "revoke_sessions", "status", "lockout")


class ScenarioError(Exception):
    """A scenario that cannot run: ``status`` 404 for an unknown user, 400 for a bad value."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def unknown_user(email: str) -> ScenarioError:
    return ScenarioError(404, f"no user {email!r}")


def verb_of(name: str) -> str:
    """``expire-sessions`` (URL) or ``expire_sessions`` (Python) → the verb; ScenarioError else."""
    verb = name.replace("-", "_")
    if verb not in VERBS:
        raise ScenarioError(
            404, f"unknown user scenario {name!r}; one of: "
            + ", ".join(v.replace("_", "-") for v in VERBS)
        )
    return verb


class Users:
    """``mock.users``: the user scenarios of one app."""

    def __init__(self, mock: Mock) -> None:
        self._mock = mock

    def run(self, email: str, verb: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        mock = self._mock
        verb = verb_of(verb)
        with mock.store.transaction():
            result = mock.flavour.user_scenario(mock, email, verb, body or {})
        return {"email": email, "scenario": verb.replace("_", "-"), **result}

    def expire_sessions(self, email: str) -> dict[str, Any]:
        """Every token and session of the user is now expired (the product's expiry error)."""
        return self.run(email, "expire_sessions")

    def revoke_sessions(self, email: str) -> dict[str, Any]:
        """As if the user logged out everywhere."""
        return self.run(email, "revoke_sessions")

    def status(self, email: str, status: str) -> dict[str, Any]:
        """Set the user's status to one of the product's own states."""
        return self.run(email, "status", {"status": status})

    def lockout(self, email: str) -> dict[str, Any]:
        """Lock the user as the product's login-attempt limit would."""
        return self.run(email, "lockout")
