"""The one random source of an app.

Every token, id, code and secret comes from here, so that a seed makes a whole run
reproducible. Not cryptographically strong on purpose: this is a test double, and
determinism is worth more here than unpredictability.
"""

from __future__ import annotations

import random
import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_NANOID = "_-" + string.digits + string.ascii_letters  # nanoid's url-safe alphabet


class Random:
    def __init__(self, seed: int | str | None = None) -> None:
        self.seed = seed if seed is not None else secrets.randbits(64)
        self._rng = random.Random(self.seed)

    def bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)

    def hex(self, nbytes: int) -> str:
        """``2 * nbytes`` lowercase hex characters."""
        return self._rng.randbytes(nbytes).hex()

    def choice(self, alphabet: str, length: int) -> str:
        return "".join(self._rng.choices(alphabet, k=length))

    def alnum(self, length: int) -> str:
        return self.choice(_ALNUM, length)

    def digits(self, length: int) -> str:
        return self.choice(string.digits, length)

    def nanoid(self, length: int = 21) -> str:
        return self.choice(_NANOID, length)

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def randint(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)
