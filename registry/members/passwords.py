"""Password hashing with argon2 (slow on purpose)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

MIN_LENGTH = 12
#: zxcvbn's score (0 to 4) a new password must reach: 3 is "safely unguessable".
MIN_SCORE = 3

# Verifying against this keeps a login for an unknown email as slow as for a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused, or None when it is acceptable: too short, too
    long, or guessable (common passwords, words, patterns, repeats, or the user's own
    email or business name, scored by zxcvbn)."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > 256:
        return "must be at most 256 characters"
    if password.isdigit() or password.lower() == password.upper():
        return "must contain letters"
    inputs = [part for value in user_inputs for part in value.replace("@", " ").split() if part]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_SCORE:
        return "is too easy to guess: use a longer phrase of unrelated words"
    return None
