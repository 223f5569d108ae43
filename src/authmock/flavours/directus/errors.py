"""Every error text and code the Directus flavour emits, written once (Directus 11.17.4).

Messages and statuses come from ``@directus/errors`` as a real 11.17.4 answered them. Other
modules raise ``DirectusError`` (or return ``error_response``) built from the helpers below
and never spell a message themselves.
"""

from __future__ import annotations

from typing import Any

# codes -----------------------------------------------------------------------------------
INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
INVALID_OTP = "INVALID_OTP"
INVALID_TOKEN = "INVALID_TOKEN"
TOKEN_EXPIRED = "TOKEN_EXPIRED"
USER_SUSPENDED = "USER_SUSPENDED"
INVALID_PAYLOAD = "INVALID_PAYLOAD"
FORBIDDEN = "FORBIDDEN"
REQUESTS_EXCEEDED = "REQUESTS_EXCEEDED"
ROUTE_NOT_FOUND = "ROUTE_NOT_FOUND"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
FAILED_VALIDATION = "FAILED_VALIDATION"
GRAPHQL_VALIDATION = "GRAPHQL_VALIDATION"
GRAPHQL_EXECUTION = "GRAPHQL_EXECUTION"
INVALID_QUERY = "INVALID_QUERY"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
INVALID_PROVIDER_CONFIG = "INVALID_PROVIDER_CONFIG"

# messages ----------------------------------------------------------------------------------
MSG_INVALID_CREDENTIALS = "Invalid user credentials."
MSG_INVALID_OTP = "Invalid user OTP."
MSG_INVALID_TOKEN = "Invalid token."
MSG_TOKEN_EXPIRED = "Token expired."
MSG_USER_SUSPENDED = "User suspended."
MSG_FORBIDDEN = "You don't have permission to access this."
MSG_INTERNAL = "An unexpected error occurred."
MSG_PASSWORD_FORMAT = (
    'Validation failed for field "password". Value doesn\'t have the correct format.'
)

# INVALID_PAYLOAD reasons (the message is "Invalid payload. <reason>.") -----------------------
MSG_REFRESH_TOKEN_REQUIRED = (
    "Invalid payload. The refresh token is required in either the payload or cookie."
)
MSG_TOKEN_CONFLICT = (
    "Invalid payload. The request uses more than one method for including an access token."
)


def _reason_of(message: str) -> str:
    return message.removeprefix("Invalid payload. ").removesuffix(".")


REASON_REFRESH_TOKEN_REQUIRED = _reason_of(MSG_REFRESH_TOKEN_REQUIRED)
REASON_TOKEN_CONFLICT = _reason_of(MSG_TOKEN_CONFLICT)
REASON_EMAIL_FIELD_REQUIRED = '"email" field is required'
REASON_TOKEN_FIELD_REQUIRED = '"token" field is required'
REASON_PASSWORD_FIELD_REQUIRED = '"password" field is required'
REASON_TOO_LARGE = "request entity too large"
REASON_UNEXPECTED_EOS = "Unexpected end of JSON input"

# Joi's wording ("<label>" is the key, quoted)
JOI_REQUIRED = '"{key}" is required'
JOI_STRING = '"{key}" must be a string'
JOI_EMPTY = '"{key}" is not allowed to be empty'
JOI_EMAIL = '"{key}" must be a valid email'
JOI_ONLY = '"{key}" must be one of [{values}]'
JOI_OBJECT = '"value" must be of type object'

# V8's JSON.parse messages on Node 20 (body-parser passes them through)
V8_JSON_MESSAGES = {
    "eos": "Unexpected end of JSON input",
    "number": "Unexpected number in JSON at position {pos}",
    "string": "Unexpected string in JSON at position {pos}",
    "prop_or_rbrace": "Expected property name or '}}' in JSON at position {pos}",
    "comma_or_rbrack": "Expected ',' or ']' after array element in JSON at position {pos}",
    "comma_or_rbrace": "Expected ',' or '}}' after property value in JSON at position {pos}",
    "colon": "Expected ':' after property name in JSON at position {pos}",
    "double_quoted": "Expected double-quoted property name in JSON at position {pos}",
    "unterminated_string": "Unterminated string in JSON at position {pos}",
    "control": "Bad control character in string literal in JSON at position {pos}",
    "unicode_escape": "Bad Unicode escape in JSON at position {pos}",
    "escape": "Bad escaped character in JSON at position {pos}",
    "minus": "No number after minus sign in JSON at position {pos}",
    "exponent": "Exponent part is missing a number in JSON at position {pos}",
    "fraction": "Unterminated fractional number in JSON at position {pos}",
    "trailing": "Unexpected non-whitespace character after JSON at position {pos}",
    "token_short": "Unexpected token '{token}', \"{source}\" is not valid JSON",
    "token_start": "Unexpected token '{token}', \"{source}\"... is not valid JSON",
    "token_surround": "Unexpected token '{token}', ...\"{source}\"... is not valid JSON",
    "token_end": "Unexpected token '{token}', ...\"{source}\" is not valid JSON",
}
V8_NOT_VALID_JSON = '"{source}" is not valid JSON'  # JSON.parse("NaN") and friends
#: zlib's message for a body that is not gzip/deflate (body-parser passes it through)
REASON_INCORRECT_HEADER = "incorrect header check"

# other exact texts Directus (or Express under it) sends ---------------------------------------
#: Express res.redirect's bodies: text/plain (no Accept, */*) and text/html (browsers)
STATUS_MESSAGES = {302: "Found", 303: "See Other"}
REDIRECT_TEXT = "{status}. Redirecting to {location}"
REDIRECT_HTML = "<p>{status}. Redirecting to {location}</p>"
#: the release /server/health reports to an admin (``releaseId``)
DIRECTUS_VERSION = "11.17.4"
#: Directus's ROBOTS_TXT default and the /server/ping answer
ROBOTS_TXT = "User-agent: *\nDisallow: /"
PONG = "pong"
#: the password-reset mail (subject from UsersService, text standing in for the template)
MAIL_RESET_SUBJECT = "Password Reset Request"
MAIL_RESET_TEXT = (
    "You have requested to reset your password. Click the link below to reset your "
    "password:\n\n{link}\n\nThis link expires in 24 hours.\n\n"
    "If you didn't request this, please ignore this e-mail."
)


def reason_unsupported_charset(charset: str) -> str:
    return f'unsupported charset "{charset.upper()}"'


def reason_unsupported_encoding(encoding: str) -> str:
    return f'unsupported content encoding "{encoding}"'


MSG_RESET_URL = "Invalid payload. URL \"{url}\" can't be used to reset passwords."
MSG_LOGIN_REDIRECT = "Invalid payload. URL \"{url}\" can't be used to redirect after login."


def reason_reset_url(url: str) -> str:
    return _reason_of(MSG_RESET_URL.format(url=url))


def reason_login_redirect(url: str) -> str:
    return _reason_of(MSG_LOGIN_REDIRECT.format(url=url))


def msg_collection_forbidden(collection: str) -> str:
    return (
        f'You don\'t have permission to access collection "{collection}" or it does not exist.'
        " Queried in root."
    )


def msg_fields_forbidden(fields: list[str], collection: str) -> str:
    names = ", ".join(f'"{f}"' for f in fields)
    if len(fields) == 1:  # createFieldsForbiddenError words the plural differently
        return (
            f"You don't have permission to access field {names} in collection "
            f'"{collection}" or it does not exist. Queried in root.'
        )
    return (
        f"You don't have permission to access fields {names} in collection "
        f'"{collection}" or they do not exist. Queried in root.'
    )


REASON_RATE_LIMITER_UNREACHABLE = "Rate limiter unreachable"
#: the ``service`` of that 503 (reference/directus.md: the limiter store fails)
SERVICE_AUTHENTICATION = "authentication"


# GraphQL (services/graphql, middleware/graphql.ts) --------------------------------------------
MSG_GRAPHQL_VALIDATION = "GraphQL validation error."
MSG_GRAPHQL_EXECUTION = "GraphQL execution error."
REASON_MUST_PROVIDE_QUERY = "Must provide query string"
REASON_VARIABLES_INVALID_JSON = "Variables are invalid JSON"
MSG_INVALID_CONFIG = "Invalid config."
#: graphql-js 16's execute() assertion on non-object variables (thrown, so GRAPHQL_EXECUTION)
MSG_GRAPHQL_VARIABLES_OBJECT = (
    "Variables must be provided as an Object where each property is a variable value. "
    "Perhaps look to see if an unparsed JSON string was provided."
)
#: graphql-core words a few messages unlike graphql-js 16.12 (which Directus runs): its → theirs
GRAPHQL_JS_WORDING = (("Document contains more than ", "Document contains more that "),)


def method_not_allowed(current: str, allowed: list[str]) -> DirectusError:
    names = ", ".join(f'"{m}"' for m in allowed)
    message = f'Invalid method "{current}" used. Should be one of {names}.'
    err = DirectusError(
        405, METHOD_NOT_ALLOWED, message, {"allowed": allowed, "current": current}
    )
    err.headers["Allow"] = ", ".join(allowed)
    return err


def invalid_query(reason: str) -> DirectusError:
    return DirectusError(400, INVALID_QUERY, f"Invalid query. {reason}.", {"reason": reason})


def graphql_validation(errors: list[Any]) -> DirectusError:
    return DirectusError(400, GRAPHQL_VALIDATION, MSG_GRAPHQL_VALIDATION, {"errors": errors})


def graphql_execution(errors: list[Any]) -> DirectusError:
    return DirectusError(400, GRAPHQL_EXECUTION, MSG_GRAPHQL_EXECUTION, {"errors": errors})


def invalid_provider_config(provider: str) -> DirectusError:
    return DirectusError(503, INVALID_PROVIDER_CONFIG, MSG_INVALID_CONFIG, {"provider": provider})


# WebSocket (websocket/controllers/base.ts, authenticate.ts, errors.ts) -----------------------
AUTH_FAILED = "AUTH_FAILED"
AUTH_TIMEOUT = "AUTH_TIMEOUT"
MSG_WS_HANDSHAKE_FAILED = "Authentication handshake failed."
MSG_WS_AUTH_FAILED = "Authentication failed."
MSG_WS_AUTH_TIMEOUT = "Authentication timed out."
MSG_WS_UNPARSABLE = "Unable to parse the incoming message."
INVALID_COLLECTION = "INVALID_COLLECTION"
MSG_WS_INVALID_COLLECTION = "The provided collection does not exists or is not accessible."
#: zod 4 + zod-validation-error 4 (fromZodError) wording of a message that fails a schema
ZOD_VALIDATION = "Validation error: Invalid input: expected {expected}, received {received}"
ZOD_AT = ' at "{path}"'
#: graphql-ws's CloseCode.Forbidden and the reason Directus gives it
GRAPHQL_WS_FORBIDDEN = (4403, "Forbidden")
#: graphql-ws 6's own closes (CloseCode and its reasons)
GRAPHQL_WS_SUBPROTOCOL_NOT_ACCEPTABLE = (4406, "Subprotocol not acceptable")
GRAPHQL_WS_UNAUTHORIZED = (4401, "Unauthorized")
GRAPHQL_WS_TOO_MANY_INITS = (4429, "Too many initialisation requests")


def msg_zod_expected(expected: str, received: str, path: str | None) -> str:
    text = ZOD_VALIDATION.format(expected=expected, received=received)
    return text + (ZOD_AT.format(path=path) if path else "")


def msg_ws_rate_limited(ms: int) -> str:
    return f"Too many messages, retry after {ms}ms."


# the error type -----------------------------------------------------------------------------
class DirectusError(Exception):
    """A Directus error: status, message, code and the extensions that precede ``code``."""

    def __init__(
        self, status: int, code: str, message: str, extensions: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extensions = dict(extensions or {})
        #: Set-Cookie headers the response must still carry (e.g. clearing a dead session)
        self.set_cookies: list[str] = []
        self.headers: dict[str, str] = {}

    def envelope(self) -> dict[str, Any]:
        return {
            "errors": [
                {"message": self.message, "extensions": {**self.extensions, "code": self.code}}
            ]
        }


def invalid_credentials() -> DirectusError:
    return DirectusError(401, INVALID_CREDENTIALS, MSG_INVALID_CREDENTIALS)


def invalid_otp() -> DirectusError:
    return DirectusError(401, INVALID_OTP, MSG_INVALID_OTP)


def invalid_token() -> DirectusError:
    return DirectusError(403, INVALID_TOKEN, MSG_INVALID_TOKEN)


def token_expired() -> DirectusError:
    return DirectusError(401, TOKEN_EXPIRED, MSG_TOKEN_EXPIRED)


def user_suspended() -> DirectusError:
    return DirectusError(401, USER_SUSPENDED, MSG_USER_SUSPENDED)


def invalid_payload(reason: str) -> DirectusError:
    return DirectusError(400, INVALID_PAYLOAD, f"Invalid payload. {reason}.", {"reason": reason})


def forbidden(reason: str | None = None) -> DirectusError:
    if reason is None:
        return DirectusError(403, FORBIDDEN, MSG_FORBIDDEN)
    return DirectusError(403, FORBIDDEN, reason, {"reason": reason})


def route_not_found(path: str) -> DirectusError:
    return DirectusError(404, ROUTE_NOT_FOUND, f"Route {path} doesn't exist.", {"path": path})


def rate_limited(limit: int, reset_iso: str, duration: str) -> DirectusError:
    message = f"Too many requests, retry after {duration}."
    return DirectusError(429, REQUESTS_EXCEEDED, message, {"limit": limit, "reset": reset_iso})


def service_unavailable(service: str, reason: str) -> DirectusError:
    message = f'Service "{service}" is unavailable. {reason}.'
    return DirectusError(503, SERVICE_UNAVAILABLE, message, {"service": service, "reason": reason})


def internal_error() -> DirectusError:
    return DirectusError(500, INTERNAL_SERVER_ERROR, MSG_INTERNAL)


def password_format(invalid: str) -> DirectusError:
    ext = {"field": "password", "path": [], "type": "regex", "invalid": invalid}
    return DirectusError(400, FAILED_VALIDATION, MSG_PASSWORD_FORMAT, ext)


# account flows: registration, invites, the Users API, TFA set-up, /settings (Directus 11) -----
RECORD_NOT_UNIQUE = "RECORD_NOT_UNIQUE"
INVALID_FOREIGN_KEY = "INVALID_FOREIGN_KEY"
UNPROCESSABLE_CONTENT = "UNPROCESSABLE_CONTENT"
MSG_EMAIL_FORMAT = 'Validation failed for field "email". Value has to be a valid email address.'
REASON_LAST_ADMIN = "Cannot remove the last admin user from the system"
REASON_TFA_SECRET_MANUAL = 'You can\'t change the "tfa_secret" value manually'
REASON_FIELD_MANUAL = 'You can\'t change the "{field}" value manually'
REASON_TFA_ALREADY_SET = "TFA Secret is already set for this user"
REASON_TFA_NEEDS_EMAIL = "User must have a valid email to enable TFA"
REASON_TFA_NOT_ENABLED = 'User "{user}" doesn\'t have TFA enabled'
REASON_OTP_INVALID = '"otp" is invalid'
REASON_KEY_REQUIRED = '"{key}" is required'
REASON_NOT_INVITED = "Email address {email} hasn't been invited"
REASON_INVALID_VERIFICATION = "Invalid verification code"
REASON_INVITE_URL = 'URL "{url}" can\'t be used to invite users'
REASON_REGISTER_URL = 'URL "{url}" can\'t be used to verify registered users'
JOI_NOT_ALLOWED = '"{key}" is not allowed'
JOI_URI = '"{key}" must be a valid uri'
JOI_GUID = '"{key}" must be a valid GUID'
JOI_TYPES = '"{key}" must be one of [{types}]'
#: authmock's own wording where Directus would hand a bad value to the database [CHOICE]
REASON_WRONG_TYPE = '"{key}" has the wrong type'
REASON_BAD_ITEM = "Every item must be an object"
REASON_BAD_POLICY = '"auth_password_policy" is not a valid regular expression'
REASON_BAD_FILTER = '"public_registration_email_filter" is not a filter authmock understands'
#: mails (subjects from UsersService; the texts stand in for Directus's liquid templates)
MAIL_INVITE_SUBJECT = "You've been invited"
MAIL_INVITE_TEXT = (
    "You have been invited to {project}. Click the link below to join:\n\n{link}\n\n"
    "This invite was sent to {email}."
)
MAIL_VERIFY_SUBJECT = "Verify your email address"
MAIL_VERIFY_TEXT = (
    "Thanks for registering with {project}. Click the link below to verify your e-mail "
    "address:\n\n{link}"
)


def msg_collection_action_forbidden(action: str, collection: str, fields: list[str]) -> str:
    """validateAccess's wording when the item is outside the permission's rows."""
    if fields:
        names = ", ".join(f'"{f}"' for f in fields)
        return (
            f'You don\'t have permissions to perform "{action}" for the field(s) {names} '
            f'in collection "{collection}" or it does not exist.'
        )
    return (
        f'You don\'t have permission to perform "{action}" for collection "{collection}" '
        "or it does not exist."
    )


def not_unique(value: str, field: str, collection: str = "directus_users",
               primary_key: bool = False) -> DirectusError:
    ext: dict[str, Any] = {"collection": collection, "field": field, "value": value}
    if primary_key:
        ext["primaryKey"] = True
    message = f'Value "{value}" for field "{field}" in collection "{collection}" has to be unique.'
    return DirectusError(400, RECORD_NOT_UNIQUE, message, ext)


def invalid_foreign_key(value: str, field: str, collection: str) -> DirectusError:
    message = f'Invalid foreign key "{value}" for field "{field}" in collection "{collection}".'
    ext = {"collection": collection, "field": field, "value": value}
    return DirectusError(400, INVALID_FOREIGN_KEY, message, ext)


def email_format() -> DirectusError:
    return DirectusError(400, FAILED_VALIDATION, MSG_EMAIL_FORMAT,
                         {"field": "email", "type": "email", "path": []})


def unprocessable(reason: str) -> DirectusError:
    return DirectusError(
        422, UNPROCESSABLE_CONTENT, f"Can't process content. {reason}.", {"reason": reason}
    )
