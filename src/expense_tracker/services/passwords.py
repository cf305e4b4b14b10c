"""Passwords: which ones are allowed, and how they are hashed and checked.

New hashes are argon2id with OWASP's parameters or stronger (19 MiB, 2 passes, 1 lane
by default). Older hashes, such as Werkzeug's scrypt and pbkdf2 ones from earlier
versions or from the original app's files, still verify, and are replaced with a new
hash at the next successful log-in.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash

from .validation import FieldError

MIN_LENGTH = 8
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
MAX_LENGTH = 1024
ARGON2_PREFIX = "$argon2"


@cache
def common_passwords() -> frozenset[str]:
    """The few thousand most common passwords of an allowed length, lowercase."""
    data = resources.files("expense_tracker") / "data" / "common-passwords.txt.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def check_policy(password: str) -> None:
    """Raise FieldError unless the password is long enough and not a common one.

    No composition rules: length and not being on everyone's list are what count.
    """
    if len(password) < MIN_LENGTH:
        raise FieldError(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise FieldError(f"Use at most {MAX_LENGTH} characters.")
    if password.strip().lower() in common_passwords():
        raise FieldError("That password is too common. Please choose another.")


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """The argon2id hasher with the app's configured cost."""
    config = current_app.config
    return _hasher(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"], config["ARGON2_PARALLELISM"]
    )


def hash_password(password: str) -> str:
    """Return a new argon2id hash of the password."""
    return hasher().hash(password)


def verify(stored_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash, whichever kind it is."""
    if stored_hash.startswith(ARGON2_PREFIX):
        try:
            return hasher().verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash is of an older kind or weaker cost than new hashes get."""
    if not stored_hash.startswith(ARGON2_PREFIX):
        return True
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def spend_a_check(password: str) -> None:
    """Cost what checking a real password costs, when there is none to check.

    A missing user then takes as long as a wrong password, so timing does not tell
    which usernames exist.
    """
    verify(_decoy_hash(hasher()), password)


@cache
def _decoy_hash(hasher_: PasswordHasher) -> str:
    return hasher_.hash("decoy password")
