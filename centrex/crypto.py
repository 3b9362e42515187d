"""Secrets at rest: SIP secrets encrypted (Fernet), digests for FreeSWITCH, hashes for people."""
from __future__ import annotations

import hashlib
import secrets
import string

from argon2 import PasswordHasher, profiles
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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
