"""Password hashing with argon2id at the parameters OWASP ASVS 5.0 accepts (m ≥ 19 MiB, t ≥ 2), and the one rule
for how strong a new password must be (ASVS 6.2: length, and no password that is easy to guess)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from pipeline.domain.text import N_

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


# zxcvbn's score: 3 = "safely unguessable", about 10^8 guesses or more; 1111111111, password12, officer123 score 0–1.
MIN_SCORE = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide
_WORD_BREAK = re.compile(r"[\s@._\-()（）,，]+")  # a firm's name or an e-mail counts word by word too
_zxcvbn_lock = threading.Lock()  # zxcvbn keeps the user inputs of a call in a module-level dictionary
_WEAKNESS = {  # zxcvbn's pattern of the guessable part → why, in Chinese (its own feedback is English)
    "user_inputs": N_("包含了您的用户名、姓名、邮箱或企业名称"),
    "repeat": N_("包含重复的字符"),
    "sequence": N_("包含连续的字符（如 abc、123）"),
    "spatial": N_("包含键盘上相邻的字符（如 qwerty）"),
    "date": N_("包含日期或年份"),
    "dictionary": N_("包含常用密码或常见单词"),
}


def password_problem(password: str, *, min_length: int, context: Iterable[str] = ()) -> str | None:
    """The Chinese reason why a new password is too weak (too short, or guessable by zxcvbn with the user's own
    name, username, e-mail and firm as context), or None."""
    if len(password) < min_length:
        return _("密码至少 %(n)s 个字符。", n=min_length)
    words = {piece for word in context if word for piece in (word, *_WORD_BREAK.split(word)) if len(piece) >= 3}
    with _zxcvbn_lock:
        result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=sorted(words))
    kinds = ["user_inputs" if m.get("dictionary_name") == "user_inputs" else m["pattern"] for m in result["sequence"]]
    own = sum(len(m["token"]) for kind, m in zip(kinds, result["sequence"], strict=True) if kind == "user_inputs")
    if result["score"] >= MIN_SCORE and own * 2 < len(password):  # half of it the user's own names: weak anyway
        return None
    reason = next((_WEAKNESS[kind] for kind in _WEAKNESS if kind in kinds), N_("太短或太有规律"))
    return _("密码太容易被猜到：%(reason)s。请换一个更长、更不规则的密码（例如几个无关的词加数字和符号）。",
             reason=_(reason))
