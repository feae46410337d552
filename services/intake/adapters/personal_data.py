"""Sealing a person's identifying fields for storage, and opening them for display."""

from dataclasses import dataclass

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.domain.identity import id_number_hash, mask_id_number
from wushe.intake.domain.phone import mask_phone
from wushe.shared.field_encryption import FieldCipher, blind_index

NAME = "persons.full_name"
ID_NUMBER = "persons.id_number"
PHONE = "persons.phone"


@dataclass(frozen=True)
class PersonalDataVault:
    cipher: FieldCipher
    index_key: str

    def id_number_hash(self, number: str) -> str:
        return id_number_hash(number, self.index_key)

    def name_index(self, full_name: str) -> str:
        return blind_index(full_name, self.index_key, NAME)

    def phone_index(self, phone: str) -> str:
        return blind_index(phone, self.index_key, PHONE)

    def seal(self, record: PersonRecord, full_name: str, id_number: str | None,
             phone: str | None) -> None:  # fmt: skip
        record.full_name_encrypted = self.cipher.encrypt(full_name, NAME)
        record.full_name_index = self.name_index(full_name)
        if id_number:
            record.id_number_hash = self.id_number_hash(id_number)
            record.id_number_encrypted = self.cipher.encrypt(id_number, ID_NUMBER)
            record.id_number_masked = mask_id_number(id_number)
        if phone:
            record.phone_encrypted = self.cipher.encrypt(phone, PHONE)
            record.phone_index = self.phone_index(phone)
            record.phone_masked = mask_phone(phone)

    def full_name(self, record: PersonRecord) -> str:
        return self.cipher.decrypt(record.full_name_encrypted, NAME)

    def id_number(self, record: PersonRecord) -> str | None:
        encrypted = record.id_number_encrypted
        return self.cipher.decrypt(encrypted, ID_NUMBER) if encrypted else None

    def phone(self, record: PersonRecord) -> str | None:
        encrypted = record.phone_encrypted
        return self.cipher.decrypt(encrypted, PHONE) if encrypted else None
