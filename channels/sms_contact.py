"""The phone number a reminder is texted to, sealed for the database.

The SMS sender id is a one-way keyed hash of the number, so a reminder row
must carry the number itself to be sent days later. It is stored encrypted
(Fernet: AES-128-CBC with an HMAC) under a key derived from SMS_SENDER_KEY,
never in clear: a copy of the database alone does not give the numbers, and
changing SMS_SENDER_KEY (which already starts new conversations) makes the
numbers of pending reminders unreadable, so those are marked failed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

_CONTEXT = b"clinic reminder destination v1"


class SealError(ValueError):
    """No key, or a number sealed under another key."""


def _fernet(sender_key: str) -> Fernet:
    if not sender_key:
        raise SealError("SMS_SENDER_KEY is not set")
    derived = hmac.new(sender_key.encode("utf-8"), _CONTEXT, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal_number(sender_key: str, phone_number: str) -> str:
    return _fernet(sender_key).encrypt(phone_number.strip().encode("utf-8")).decode("ascii")


def open_number(sender_key: str, sealed: str) -> str:
    try:
        return _fernet(sender_key).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as error:
        raise SealError("the number was sealed under another SMS_SENDER_KEY") from error
