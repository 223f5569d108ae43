"""Every text and status code the Paystub fake can answer with, written once.

Sources (see docs/paystub.md): Paystub's error guide for the envelope and the 401/403/404/422/429
bodies; Laravel 10/11 (server profile) and Laravel <= 9 (docs profile, the wording of the docs'
422 example) for validation, auth, throttle and password-broker texts; Laravel's router for
404/405; Sanctum for the token format. Other modules import from here and never spell a message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

# --- envelope messages (docs.paystub.dev/guides/errors) -------------------------------------
UNAUTHENTICATED = "Unauthenticated."
UNAUTHORIZED = "This action is unauthorized."
NOT_FOUND = "Resource not found."
GIVEN_DATA_INVALID = "The given data was invalid."
TOO_MANY_ATTEMPTS = "Too Many Attempts."
RATE_LIMIT_DETAIL = "Rate limit exceeded. Please try again later."
SERVER_ERROR = "Server Error"  # Laravel's production text for anything not an HTTP exception
POST_TOO_LARGE = "The POST data is too large."  # Laravel 11 PostTooLargeException

# --- Symfony's Response::$statusTexts (RFC 9110 wording), the reason phrase of the status line --
REASON_PHRASES: Mapping[int, str] = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}

# --- Laravel's router (AbstractRouteCollection::requestMethodNotAllowed) --------------------
METHOD_NOT_ALLOWED = (
    "The {method} method is not supported for route {route}. Supported methods: {allowed}."
)
#: Laravel's Router::$verbs: the order the supported methods are listed in
VERB_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# --- Laravel auth.php (Breeze LoginRequest raises both as 422 on "email") -------------------
AUTH_FAILED = "These credentials do not match our records."
AUTH_THROTTLE = "Too many login attempts. Please try again in {seconds} seconds."

# --- Laravel passwords.php (Breeze raises failures as 422 on "email") -----------------------
PASSWORDS_SENT = "We have emailed your password reset link."  # broker status, not shown by Paystub
PASSWORDS_RESET = "Your password has been reset."  # broker status, not shown by Paystub
PASSWORDS_TOKEN = "This password reset token is invalid."
PASSWORDS_USER = "We can't find a user with that email address."
PASSWORDS_THROTTLED = "Please wait before retrying."

# --- Paystub success messages -----------------------------------------------------------------
RESET_LINK_SENT = "Password reset link sent successfully"  # [DOC] user-side forgot-password
PASSWORD_RESET_DONE = "Password has been reset successfully"  # [DOC] user-side reset-password
LOGGED_OUT = "Logged out successfully"  # contract (no docs page)

# --- the reset e-mail (Laravel's ResetPassword notification) ----------------------------------
RESET_MAIL_SUBJECT = "Reset Password Notification"
RESET_MAIL_TEXT = (
    "Hello!\n\n"
    "You are receiving this email because we received a password reset request for your "
    "account.\n\n"
    "Reset Password: {link}\n\n"
    "This password reset link will expire in {minutes} minutes.\n\n"
    "If you did not request a password reset, no further action is required.\n"
)

# --- validation messages: docs profile = Laravel <= 9 wording, server = Laravel 10/11 ---------
VALIDATION: Mapping[str, Mapping[str, str]] = {
    "docs": {
        "required": "The {attribute} field is required.",
        "string": "The {attribute} must be a string.",
        "email": "The {attribute} must be a valid email address.",
        "min": "The {attribute} must be at least {min} characters.",
        "confirmed": "The {attribute} confirmation does not match.",
    },
    "server": {
        "required": "The {attribute} field is required.",
        "string": "The {attribute} field must be a string.",
        "email": "The {attribute} field must be a valid email address.",
        "min": "The {attribute} field must be at least {min} characters.",
        "confirmed": "The {attribute} field confirmation does not match.",
    },
}
#: Laravel >= 9 ValidationException::summarize suffixes (the count is of messages)
MORE_ERROR = " (and 1 more error)"
MORE_ERRORS = " (and {count} more errors)"


def validation_message(profile: str, rule: str, attribute: str, **params: Any) -> str:
    """One field message in the profile's wording; underscores become spaces, as Laravel does."""
    template = VALIDATION[profile][rule]
    return template.format(attribute=attribute.replace("_", " "), **params)


def summary(profile: str, errors: Mapping[str, list[str]]) -> str:
    """The 422 top-level message: the docs' fixed text, or Laravel 10/11's first-error summary."""
    messages = [message for field in errors.values() for message in field]
    if profile == "docs" or not messages:
        return GIVEN_DATA_INVALID
    more = len(messages) - 1
    if more == 0:
        return messages[0]
    return messages[0] + (MORE_ERROR if more == 1 else MORE_ERRORS.format(count=more))


# --- the envelope -----------------------------------------------------------------------------
def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """JSON as Laravel's ``response()->json()`` encodes it (``json_encode`` without flags):
    compact, in the key order we wrote, ``/`` escaped as ``\\/`` and non-ASCII as ``\\uXXXX``."""
    # "/" can only occur inside JSON strings, so escaping every one is exact
    body = _ENCODER.encode(payload).replace("/", "\\/")
    response = Response(body, status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


#: what ``json.dumps(payload, separators=(",", ":"), ensure_ascii=True)`` builds per call
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)


def envelope(message: str, errors: Any = None) -> dict[str, Any]:
    return {"success": False, "message": message, "errors": errors}


class PaystubError(HTTPException):
    """An error answered in Paystub's envelope; raising it also undoes the request's writes."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description=message)
        self.code = status
        self.message = message
        self.errors = errors
        self.extra_headers = dict(headers or {})

    def to_response(self) -> Response:
        """The envelope with this error's status and headers."""
        return json_response(
            envelope(self.message, self.errors), self.code or 500, self.extra_headers
        )


def unauthenticated() -> PaystubError:
    return PaystubError(401, UNAUTHENTICATED)


def unauthorized() -> PaystubError:
    return PaystubError(403, UNAUTHORIZED)


def not_found() -> PaystubError:
    return PaystubError(404, NOT_FOUND)


def too_large() -> PaystubError:
    return PaystubError(413, POST_TOO_LARGE)


def server_error() -> PaystubError:
    return PaystubError(500, SERVER_ERROR)


def http_error(status: int, reason: str) -> PaystubError:
    """Any other HTTP error Werkzeug may raise: its reason phrase in the envelope."""
    return PaystubError(status, reason)


def invalid(profile: str, errors: dict[str, list[str]]) -> PaystubError:
    """A 422 in the profile's wording (message rule applies to every 422, not only rules)."""
    return PaystubError(422, summary(profile, errors), errors)


def field_error(profile: str, field: str, message: str) -> PaystubError:
    """Laravel's ValidationException::withMessages([field => message]) as a 422."""
    return invalid(profile, {field: [message]})


def too_many_attempts(headers: Mapping[str, str]) -> PaystubError:
    return PaystubError(429, TOO_MANY_ATTEMPTS, {"detail": RATE_LIMIT_DETAIL}, headers)


def method_not_allowed(method: str, route: str, allowed: list[str]) -> PaystubError:
    """405 with Laravel's router text and ``Allow`` header (comma and space separated)."""
    listed = ", ".join(allowed)
    message = METHOD_NOT_ALLOWED.format(method=method, route=route, allowed=listed)
    return PaystubError(405, message, None, {"Allow": listed})
