"""Every DreamFactory error text and status, written once, and the error envelope.

Texts are the real server's (df-core, df-system, df-user, tymon/jwt-auth, Laravel), as the
reference notes quote them *before* ``htmlentities``; the envelope applies the encoding.
Nothing else in the flavour spells out an error message.
"""

from __future__ import annotations

import json
from html.entities import codepoint2name
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

# --- middleware (AuthCheck / AccessCheck) -------------------------------------------------
NO_KEY_OR_TOKEN = (
    "No session token (JWT) or API Key detected in request. Please send in "
    "X-DreamFactory-Session-Token and/or X-DreamFactory-API-Key request header. You can also use "
    "URL query parameters session_token and/or api_key."
)
NO_API_KEY = (
    "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request "
    "header or 'api_key' url query parameter."
)
NO_TOKEN = (
    "No session token (JWT) provided. Please provide a valid JWT using "
    "X-DreamFactory-Session-Token request header or 'session_token' url query parameter."
)
ROLE_NOT_FOUND = "Role not found. A role may not be assigned to you or your application."
ROLE_INACTIVE_ACCESS = (
    "Access Forbidden. The role assigned to you or your application or the default role of your "
    "application is not active."
)
NOT_AUTHENTICATED = "Unauthorized. User is not authenticated."
ACCESS_FORBIDDEN_PREFIX = "Access Forbidden. "
# AccessCheck's denial: "Access Forbidden. " + "<VERB> access to " + ("component '<c>' of ") + ...
FORBIDDEN_VERB = (
    "Access Forbidden. {verb} access to {where}service '{service}' is not allowed by this user's "
    "role."
)
FORBIDDEN_COMPONENT = "component '{component}' of "
SESSION_EXPIRED_SUFFIX = (
    "Session expired. Please refresh your token (if still within refresh window) or re-login."
)
SESSION_TERMINATED_SUFFIX = "Session terminated. Please re-login."
INVALID_TOKEN_PREFIX = "Invalid token: "
APP_NOT_ACTIVE = "App is not active."
USER_NOT_ACTIVE = "User is not active."
USER_NOT_FOUND = "User not found."
BASIC_INVALID = "Invalid credentials."  # Laravel's failed HTTP Basic, caught by AuthCheck

# --- tymon/jwt-auth and lcobucci/jwt texts (wrapped by the middleware or the refresh) ------
JWT_EXPIRED = "Token has expired"
JWT_BLACKLISTED = "The token has been blacklisted"
JWT_SEGMENTS = "Wrong number of segments"
JWT_MALFORMED = "Malformed token"
JWT_SIGNATURE = "Token Signature could not be verified."
JWT_BASE64 = (
    "Could not decode token: Error while decoding from Base64Url, invalid base64 characters "
    "detected"
)
JWT_JSON = "Could not decode token: Error while decoding from JSON"
JWT_REQUIRED_CLAIMS = "JWT payload does not contain the required claims"
JWT_USER_VERIFICATION = "User verification failed."
JWT_NBF_FUTURE = "Not Before (nbf) timestamp cannot be in the future"
JWT_IAT_FUTURE = "Issued At (iat) timestamp cannot be in the future"
JWT_REFRESH_EXPIRED = "Token has expired and can no longer be refreshed"

# --- sessions -----------------------------------------------------------------------------
MISSING_EMAIL = "Login request is missing required email."
MISSING_PASSWORD = "Login request is missing required password."
INVALID_CREDENTIALS = "Invalid credentials supplied."
ROLE_NOT_ACTIVE = "Role is not active."
NO_VALID_SESSION = "There is no valid session for the current request."
NO_USER_SESSION = "No user session found."
NOT_AUTHORIZED = "You are not authorized to perform this action."
TOKEN_REFRESH_FAILED = "Token refresh failed. "
INVALID_LOGIN_SERVICE_GET = "Invalid login service provided. Please use an OAuth service."
INVALID_LOGIN_SERVICE_POST = (
    "Invalid login service provided. Please use an OAuth or AD/Ldap service."
)
VERB_NOT_SUPPORTED = (
    "{verb} requests without a resource are not currently supported by the '{name}' service."
)
PATCH_NOT_SUPPORTED = VERB_NOT_SUPPORTED.format(verb="PATCH", name="session")
UNSUPPORTED_VERB = "Invalid or unsupported verb '{verb}' used in request."  # AccessCheck
# requests this mock does not model (no DreamFactory text applies)
UNRECOGNIZED_PAYLOAD = "Unrecognized payload type"  # ServiceRequest::getPayloadData
INVALID_CSV = "Invalid CSV payload supplied."
NOT_MODELLED = "{verb} requests on '{resource}' are not supported by this mock."

# --- passwords, registration, profile -----------------------------------------------------
BOTH_PASSWORDS_REQUIRED = "Both old and new password are required to change the password."
PASSWORD_MISMATCH = "The password supplied does not match."
RESET_MISSING_EMAIL = "Missing required email for password reset confirmation."
EMAIL_NOT_FOUND = "The supplied email was not found in the system."
MISSING_NEW_PASSWORD = "Missing new password for reset."
INVALID_CODE = "Invalid confirmation code."
INVALID_CODE_FORMAT = "Invalid confirmation code format."
EMAIL_CODE_NOT_FOUND = "The supplied email and/or confirmation code were not found in the system."
CODE_EXPIRED = "Confirmation code expired."
MISSING_SECURITY_ANSWER = "Missing security answer."
EMAIL_ANSWER_NOT_FOUND = "The supplied email and confirmation code were not found in the system."
ANSWER_MISMATCH = "The answer supplied does not match."
NOT_ENOUGH_INFO = "Not enough information provided to change password."
NOT_AUTHORIZED_PASSWORD = "You are not authorized to reset/change password for the account "
OPEN_REGISTRATION_DISABLED = "Open Registration is not enabled."
VALIDATION_FAILED = "Validation failed"
INVALID_DATA = "Invalid data supplied."
NO_DATA = "No data supplied for operation."
CURRENT_PASSWORD_REQUIRED = "Current Password required to change email"

# Laravel 10+ validation texts (attribute names have "_" shown as " ")
V_REQUIRED = "The {field} field is required."
V_EMAIL = "The {field} field must be a valid email address."
V_UNIQUE = "The {field} has already been taken."
V_MAX = "The {field} field must not be greater than {n} characters."
V_MIN = "The {field} field must be at least {n} characters."
V_CONFIRMED = "The {field} field confirmation does not match."
V_STRING = "The {field} field must be a string."
V_BOOLEAN = "The {field} field must be true or false."
V_NO_SPACES = "The {field} field format is invalid."

# --- services, records, tables ------------------------------------------------------------
SERVICE_NOT_FOUND = "Could not find a service for "
RESOURCE_NOT_FOUND = "Resource '{resource}' not found for service '{service}'."
RECORD_NOT_FOUND = "Record with identifier '{id}' not found."
TABLE_NOT_FOUND = 'Table "{table}" does not exist in the database.'
NO_RECORDS = (
    "No record(s) detected in request. Please make sure record(s) are wrapped in a 'resource' tag. "
    'Example: {"resource":[{"record":1},{"record":2}]}'
)

# --- HTTP errors raised outside DreamFactory's own code (Laravel's texts) -----------------
ROUTE_NOT_FOUND = "The route {path} could not be found."
METHOD_NOT_ALLOWED = (
    "The {method} method is not supported for route {path}. Supported methods: GET, HEAD, POST, "
    "PUT, PATCH, DELETE, OPTIONS."
)
PAYLOAD_TOO_LARGE = "The POST data is too large."  # Laravel 11+ ValidatePostSize
SERVER_ERROR = "Server Error"


def forbidden_verb(verb: str, service: str, component: str) -> str:
    """The AccessCheck denial for an authenticated user whose role lacks the verb."""
    where = FORBIDDEN_COMPONENT.format(component=component) if component else ""
    return FORBIDDEN_VERB.format(verb=verb.upper(), where=where, service=service)


def expired_message(detail: str = JWT_EXPIRED) -> str:
    return f"{detail}: {SESSION_EXPIRED_SUFFIX}"


def blacklisted_message(detail: str = JWT_BLACKLISTED) -> str:
    return f"{detail}: {SESSION_TERMINATED_SUFFIX}"


def invalid_token_message(detail: str) -> str:
    return INVALID_TOKEN_PREFIX + detail


def validation(field: str, template: str, **extra: Any) -> str:
    return template.format(field=field.replace("_", " "), **extra)


# --- the envelope ---------------------------------------------------------------------------
def htmlentities(text: str) -> str:
    """PHP ``htmlentities($text, ENT_COMPAT)`` (HTML 4.01 table; single quotes kept).

    Invalid UTF-8 (here: lone surrogates from undecodable input) makes PHP return "".
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ""
    return text.translate(_ENTITIES)


#: each character with an HTML 4.01 entity name (the apostrophe has none), for str.translate
_ENTITIES = {code: f"&{name};" for code, name in codepoint2name.items() if code != ord("'")}


def dumps(data: Any) -> str:
    """PHP ``json_encode($x, JSON_UNESCAPED_SLASHES)``: compact, non-ASCII as \\uXXXX."""
    return _ENCODER.encode(data)


#: what ``json.dumps(data, separators=(",", ":"), ensure_ascii=True)`` builds per call
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(dumps(data), status=status, mimetype="application/json")


class DfError(HTTPException):
    """A DreamFactory REST exception; raising it rolls the request's writes back."""

    def __init__(
        self, status: int, message: str, context: Any = None, code: int | None = None,
        *, short: bool = False,
    ) -> None:
        super().__init__(description=message)
        self.code = status
        self.message = message
        self.context = context
        self.error_code = status if code is None else code
        self.short = short

    def envelope(self) -> dict[str, Any]:
        if self.short:  # a non-DreamFactory exception caught inside DreamFactory code
            return {"error": {"code": self.error_code, "message": htmlentities(self.message)}}
        return {
            "error": {
                "code": self.error_code,
                "context": self.context,
                "message": htmlentities(self.message),
                "status_code": self.code,
            }
        }

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        return json_response(self.envelope(), self.code or 500)


def error_response(status: int, message: str, context: Any = None) -> Response:
    """The envelope as a *returned* response (for refusals that must keep state)."""
    return DfError(status, message, context).get_response()
