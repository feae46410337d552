"""A guardian's name on a consent, sealed for storage like the person's own name."""

from wushe.shared.field_encryption import FieldCipher

GUARDIAN_NAME = "consents.guardian_name"


def seal_guardian_name(cipher: FieldCipher, name: str | None) -> str | None:
    return cipher.encrypt(name, GUARDIAN_NAME) if name else None


def open_guardian_name(cipher: FieldCipher, stored: str | None) -> str | None:
    return cipher.decrypt(stored, GUARDIAN_NAME) if stored else None
