"""TOTP on the mock clock, for any base32 secret the real products accept.

pyotp (2.10+) refuses secrets shorter than 112 bits, but products such as Directus (otplib)
accept the classic 80-bit ``JBSWY3DPEHPK3PXP``; fixtures use such secrets, so the length rule
is lifted here while the algorithm stays pyotp's (RFC 6238: SHA1, 6 digits, 30 s by default).
"""

from __future__ import annotations

import base64
import binascii

import pyotp

PERIOD = 30


class _TOTP(pyotp.TOTP):
    def byte_secret(self) -> bytes:
        secret = self.secret.replace(" ", "").upper()
        secret += "=" * (-len(secret) % 8)
        return base64.b32decode(secret, casefold=True)


def totp(secret: str, *, digits: int = 6, interval: int = PERIOD) -> pyotp.TOTP:
    """A pyotp TOTP object; raises ValueError for a secret that is not base32."""
    try:
        return _TOTP(secret, digits=digits, interval=interval)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not a base32 TOTP secret: {exc}") from None


def is_valid_secret(secret: str) -> bool:
    try:
        totp(secret)
    except ValueError:
        return False
    return True


def code_at(secret: str, when: float, *, digits: int = 6, interval: int = PERIOD) -> str:
    """The code an authenticator shows at ``when`` (seconds on the mock clock)."""
    return str(totp(secret, digits=digits, interval=interval).at(when))


def verify(secret: str, code: str, when: float, *, window: int = 0) -> bool:
    """Whether ``code`` is right at ``when``, ± ``window`` periods, compared in constant time."""
    from authmock.tokens import constant_time_equals

    return any(
        constant_time_equals(code, code_at(secret, when + step * PERIOD))
        for step in range(-window, window + 1)
    )
