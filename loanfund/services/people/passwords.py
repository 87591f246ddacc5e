"""Passwords: Argon2id hashes (argon2-cffi), older hashes upgraded at the next login, and what makes a password
too easy to guess (zxcvbn's lists and estimate, with names this fund's users would try first).

The cost of a hash comes from ``PASSWORD_HASHER`` in the configuration (argon2-cffi's RFC 9106 low-memory profile by
default; the tests use a cheap one). A login for a username nobody has checks the password against a hash made with
the same cost, so an unknown user takes as long as a wrong password.
"""

from __future__ import annotations

import contextlib
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn's score: 0 too guessable, 1 very guessable, 2 somewhat guessable (≈10⁸ guesses) — the least we take
MIN_SCORE = 2
# what people here try first and zxcvbn's English lists do not hold
LOCAL_WORDS = ("loanfund", "lianyungang", "lyg", "zhuandai", "jijin", "woaini", "aini", "1314", "520")


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    params: dict[str, Any] = current_app.config["PASSWORD_HASHER"]
    return _hasher(int(params["time_cost"]), int(params["memory_cost"]), int(params["parallelism"]))


def hash_password(password: str) -> str:
    return hasher().hash(password)


@cache
def _dummy(ph: PasswordHasher) -> str:
    return ph.hash("no-such-user: the same work as a real check")


def verify(stored: str, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored``, and the hash to store instead when it does and ``stored`` is an older
    kind (scrypt or PBKDF2 from before Argon2id) or weaker than today's cost."""
    ph = hasher()
    if not stored.startswith("$argon2"):
        ok = _legacy_matches(stored, password)
        return ok, (ph.hash(password) if ok else None)
    try:
        ph.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    return True, (ph.hash(password) if ph.check_needs_rehash(stored) else None)


def _legacy_matches(stored: str, password: str) -> bool:
    try:
        return check_password_hash(stored, password)
    except ValueError:  # not a hash werkzeug knows
        return False


def same_work(password: str) -> None:
    """Check ``password`` against a hash of today's cost that matches nothing: the time a real check takes."""
    ph = hasher()
    with contextlib.suppress(VerificationError):
        ph.verify(_dummy(ph), password)


def problems(password: str, *, known: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with ``password`` as a new password (empty when nothing); ``known`` are the user's own names
    (username, display name), which must not make up the password."""
    if len(password) < MIN_LENGTH:
        return [f"密码至少 {MIN_LENGTH} 位"]
    if len(password) > MAX_LENGTH:
        return [f"密码最长 {MAX_LENGTH} 位"]
    inputs = [word for word in (*known, *LOCAL_WORDS) if word]
    if zxcvbn(password[:MAX_LENGTH], user_inputs=inputs)["score"] < MIN_SCORE:
        return [
            "密码太常见或太容易猜到（如 12345678、password1、woaini1314、用户名加数字），请换一个更长、不常见的密码"
        ]
    return []
