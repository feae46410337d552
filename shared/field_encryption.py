"""Personal data encrypted at rest: AES-GCM per value, with a key id for rotation.

A stored value reads ``<key id>:<base64 of nonce + ciphertext>``. The associated data
binds each value to its column (``persons.full_name``), so a ciphertext copied into
another column does not decrypt. Lookups never decrypt: they use a keyed hash (blind
index) of the normalised value.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class UnknownKey(LookupError):
    pass


@dataclass(frozen=True)
class FieldCipher:
    keys: dict[str, bytes]
    current_key_id: str

    def __post_init__(self) -> None:
        if self.current_key_id not in self.keys:
            raise UnknownKey(f"current key id {self.current_key_id!r} has no key")
        for key_id, key in self.keys.items():
            if len(key) != 32 or ":" in key_id:
                raise ValueError(f"key {key_id!r} must be 32 bytes and its id free of ':'")

    def encrypt(self, plaintext: str, column: str) -> str:
        sealed = self._seal(plaintext.encode(), column)
        return f"{self.current_key_id}:{base64.b64encode(sealed).decode()}"

    def decrypt(self, stored: str, column: str) -> str:
        key_id, _, payload = stored.partition(":")
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKey(f"value was encrypted with key {key_id!r}, which is not configured")
        return self._open(key, base64.b64decode(payload), column).decode()

    def seal_bytes(self, data: bytes, context: str) -> bytes:
        """A whole file's bytes, bound to ``context`` (what the file is) like a column."""
        return self.current_key_id.encode() + b":" + self._seal(data, context)

    def open_bytes(self, stored: bytes, context: str) -> bytes:
        raw_id, _, raw = stored.partition(b":")
        key_id = raw_id.decode()
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKey(f"file was sealed with key {key_id!r}, not configured")
        return self._open(key, raw, context)

    def _seal(self, data: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + _aead(self.keys[self.current_key_id]).encrypt(nonce, data, context.encode())

    @staticmethod
    def _open(key: bytes, raw: bytes, context: str) -> bytes:
        return _aead(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())

    def key_id_of(self, stored: str) -> str:
        return stored.partition(":")[0]

    def needs_rotation(self, stored: str) -> bool:
        return self.key_id_of(stored) != self.current_key_id


# Setting a key up costs more than sealing a name with it: an import seals hundreds of
# thousands of values with the same few keys. Kept out of FieldCipher, which worker
# processes receive pickled.
@lru_cache(maxsize=16)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def partner_alert_context(field: str) -> str:
    """What a value sealed for notify's partners is bound to: an event's ``<field>_sealed``,
    which notify opens only for a partner whose agreement names ``field``."""
    return f"partner_alert.{field}"


def parse_keys(spec: str) -> dict[str, bytes]:
    """``id1=<base64 32 bytes>,id2=...`` as configured in WUSHE_ENCRYPTION_KEYS."""
    keys = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, _, encoded = item.partition("=")
        keys[key_id.strip()] = base64.b64decode(encoded.strip())
    return keys


def derived_key(secret: str) -> bytes:
    """A 32-byte key derived from a passphrase: for development defaults only."""
    return hashlib.sha256(b"wushe-field-encryption:" + secret.encode()).digest()


def blind_index(value: str, key: str, column: str) -> str:
    """Keyed hash of a normalised value: equal values match, the value stays hidden."""
    mac = _keyed_hash(key).copy()
    mac.update(f"{column}:{value}".encode())
    return mac.hexdigest()


# Copying a keyed hash skips deriving its pads from the key again, for every value.
@lru_cache(maxsize=16)
def _keyed_hash(key: str) -> hmac.HMAC:
    return hmac.new(key.encode(), digestmod=hashlib.sha256)
