"""Sealing a person's identifying fields for storage, and opening them for display."""

from dataclasses import dataclass

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.domain.identity import id_number_hash, mask_id_number
from wushe.intake.domain.phone import mask_phone
from wushe.intake.domain.profiles import PersonProfiles
from wushe.shared.field_encryption import FieldCipher, blind_index

NAME = "persons.full_name"
ID_NUMBER = "persons.id_number"
PHONE = "persons.phone"
ADDRESS = "persons.address"
PROFILES = "persons.profiles"


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
        self.seal_name(record, full_name)
        if id_number:
            record.id_number_hash = self.id_number_hash(id_number)
            record.id_number_encrypted = self.cipher.encrypt(id_number, ID_NUMBER)
            record.id_number_masked = mask_id_number(id_number)
        self.seal_phone(record, phone)

    def seal_name(self, record: PersonRecord, full_name: str) -> None:
        record.full_name_encrypted = self.cipher.encrypt(full_name, NAME)
        record.full_name_index = self.name_index(full_name)

    def seal_phone(self, record: PersonRecord, phone: str | None) -> None:
        record.phone_encrypted = self.cipher.encrypt(phone, PHONE) if phone else None
        record.phone_index = self.phone_index(phone) if phone else None
        record.phone_masked = mask_phone(phone) if phone else None

    def seal_address(self, record: PersonRecord, address: str | None) -> None:
        record.address_encrypted = self.cipher.encrypt(address, ADDRESS) if address else None

    def seal_profiles(self, record: PersonRecord, profiles: PersonProfiles) -> None:
        document = profiles.model_dump_json(exclude_none=True)
        record.profiles_encrypted = (
            None if profiles.is_empty() else self.cipher.encrypt(document, PROFILES)
        )

    def full_name(self, record: PersonRecord) -> str:
        return self.cipher.decrypt(record.full_name_encrypted, NAME)

    def id_number(self, record: PersonRecord) -> str | None:
        encrypted = record.id_number_encrypted
        return self.cipher.decrypt(encrypted, ID_NUMBER) if encrypted else None

    def phone(self, record: PersonRecord) -> str | None:
        encrypted = record.phone_encrypted
        return self.cipher.decrypt(encrypted, PHONE) if encrypted else None

    def address(self, record: PersonRecord) -> str | None:
        encrypted = record.address_encrypted
        return self.cipher.decrypt(encrypted, ADDRESS) if encrypted else None

    def profiles(self, record: PersonRecord) -> PersonProfiles:
        encrypted = record.profiles_encrypted
        if not encrypted:
            return PersonProfiles()
        return PersonProfiles.model_validate_json(self.cipher.decrypt(encrypted, PROFILES))
