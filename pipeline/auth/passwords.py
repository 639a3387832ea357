"""Password hashing with argon2id at the parameters OWASP ASVS 5.0 accepts (m ≥ 19 MiB, t ≥ 2)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106 "second recommended" profile: 64 MiB, 3 passes, 4 lanes (well above the ASVS minimum).
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)


@cache
def _dummy_hash() -> str:
    # Verifying against this keeps the time of a login for an unknown user the same as for a known one.
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; an absent hash costs as much time as a real check."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
