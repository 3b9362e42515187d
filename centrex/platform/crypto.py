"""Secrets at rest: SIP secrets encrypted (Fernet), digests for FreeSWITCH, hashes for people."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

from argon2 import PasswordHasher, extract_parameters, low_level, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

_hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def use_cheap_hashing() -> None:
    """Tests only: argon2's cheapest parameters, so fixtures can create many accounts quickly."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
_SECRET_ALPHABET = string.ascii_letters + string.digits


class SecretBox:
    """Encrypts SIP secrets with the operator's key; the key never lives in the database."""

    def __init__(self, key: str | bytes):
        self._fernet = Fernet(key)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:  # wrong key or tampered row
            raise ValueError("SIP secret cannot be decrypted with the configured key") from exc

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()


def new_sip_secret(length: int = 20) -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(length))


def digest_a1(user: str, realm: str, secret: str) -> str:
    """HTTP digest HA1, what FreeSWITCH calls a1-hash: md5(user:realm:password)."""
    return hashlib.md5(f"{user}:{realm}:{secret}".encode()).hexdigest()  # noqa: S324 (SIP digest)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """An argon2id hash. `salt` (16 bytes) makes hashes that share it verifiable with one computation
    (see verify_passwords); without it, a random salt."""
    return _hasher.hash(password, salt=salt)


def verify_passwords(stored: list[str | None], password: str) -> list[bool]:
    """Which of these hashes this password matches, with ONE argon2 computation per distinct (parameters,
    salt) — hashes made with the same salt cost one computation whatever their number. Malformed: False."""
    computed: dict[str, str | None] = {}
    results = []
    for encoded in stored:
        head = _salted_head(encoded)
        if head is None:
            results.append(False)
            continue
        if head not in computed:
            computed[head] = _recompute(encoded, password)
        mine = computed[head]
        results.append(mine is not None and hmac.compare_digest(mine.encode(), encoded.encode()))
    return results


def _salted_head(encoded: str | None) -> str | None:
    """'$argon2id$v=19$m=…,t=…,p=…$<salt>' of an encoded hash: what its recomputation depends on."""
    if not encoded or not encoded.startswith("$argon2") or encoded.count("$") != 5:
        return None
    return encoded.rsplit("$", 1)[0]


def _recompute(encoded: str, password: str) -> str | None:
    try:
        params = extract_parameters(encoded)
        salt_b64 = encoded.split("$")[4]
        salt = base64.b64decode(salt_b64 + "=" * (-len(salt_b64) % 4))
        return low_level.hash_secret(password.encode(), salt, params.time_cost, params.memory_cost,
                                     params.parallelism, params.hash_len, params.type, params.version).decode()
    except (InvalidHashError, ValueError, VerificationError):
        return None


def shared_salt(purpose: str, value: str) -> bytes:
    """The salt every hash of one `value` (an e-mail address) shares for one purpose, so that checking a
    secret against all of them costs one computation (verify_passwords), whatever their number."""
    return hashlib.sha256(f"centrex {purpose}\0{value.strip().lower()}".encode()).digest()[:16]


def salt_of(hashed: str | None) -> bytes | None:
    """The salt an encoded hash was made with."""
    head = _salted_head(hashed)
    if head is None:
        return None
    salt_b64 = head.rsplit("$", 1)[1]
    try:
        return base64.b64decode(salt_b64 + "=" * (-len(salt_b64) % 4))
    except ValueError:
        return None


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
