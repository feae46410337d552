"""Sealing a person's identifying fields for storage, and opening them for display."""

from dataclasses import dataclass
from typing import Any

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.domain.identity import id_number_hash, mask_id_number
from wushe.intake.domain.phone import mask_phone
from wushe.intake.domain.pinyin import toneless_pinyin
from wushe.intake.domain.profiles import PersonProfiles
from wushe.shared.field_encryption import FieldCipher, blind_index, partner_alert_context

NAME = "persons.full_name"
NAME_PINYIN = "persons.full_name_pinyin"
ID_NUMBER = "persons.id_number"
PHONE = "persons.phone"
ADDRESS = "persons.address"
PROFILES = "persons.profiles"
IMPORT_FINGERPRINT = "persons.import_fingerprint"

Columns = dict[str, Any]


def _apply(record: PersonRecord, columns: Columns) -> None:
    for name, value in columns.items():
        setattr(record, name, value)


@dataclass(frozen=True)
class PersonalDataVault:
    cipher: FieldCipher
    index_key: str

    def id_number_hash(self, number: str) -> str:
        return id_number_hash(number, self.index_key)

    def name_index(self, full_name: str) -> str:
        return blind_index(full_name, self.index_key, NAME)

    def pinyin_index(self, full_name: str) -> str:
        return blind_index(toneless_pinyin(full_name), self.index_key, NAME_PINYIN)

    def phone_index(self, phone: str) -> str:
        return blind_index(phone, self.index_key, PHONE)

    def import_fingerprint(self, identity: str) -> str:
        return blind_index(identity, self.index_key, IMPORT_FINGERPRINT)

    def sealed(self, full_name: str, id_number: str | None, phone: str | None,
               address: str | None, profiles: PersonProfiles) -> Columns:  # fmt: skip
        """The stored columns of a new person's identifying and sensitive fields."""
        return (
            self.name_columns(full_name) | self.id_number_columns(id_number)
            | self.phone_columns(phone) | self.address_columns(address)
            | self.profiles_columns(profiles)
        )  # fmt: skip

    def name_columns(self, full_name: str) -> Columns:
        return {
            "full_name_encrypted": self.cipher.encrypt(full_name, NAME),
            "full_name_index": self.name_index(full_name),
            "full_name_pinyin_index": self.pinyin_index(full_name),
        }

    def id_number_columns(self, number: str | None) -> Columns:
        return {
            "id_number_hash": self.id_number_hash(number) if number else None,
            "id_number_encrypted": self.cipher.encrypt(number, ID_NUMBER) if number else None,
            "id_number_masked": mask_id_number(number) if number else None,
        }

    def phone_columns(self, phone: str | None) -> Columns:
        return {
            "phone_encrypted": self.cipher.encrypt(phone, PHONE) if phone else None,
            "phone_index": self.phone_index(phone) if phone else None,
            "phone_masked": mask_phone(phone) if phone else None,
        }

    def address_columns(self, address: str | None) -> Columns:
        return {"address_encrypted": self.cipher.encrypt(address, ADDRESS) if address else None}

    def profiles_columns(self, profiles: PersonProfiles) -> Columns:
        document = profiles.model_dump_json(exclude_none=True)
        # The document is "{}" exactly when the profiles are empty: no second dump to ask.
        sealed = None if document == "{}" else self.cipher.encrypt(document, PROFILES)
        return {"profiles_encrypted": sealed}

    def sealed_for_partners(self, full_name: str, address: str | None) -> dict[str, str]:
        """The name and address as an event's ``name_sealed`` and ``address_sealed``, for
        notify to open for the partners whose agreements name them."""
        sealed = {"name_sealed": self.cipher.encrypt(full_name, partner_alert_context("name"))}
        if address:
            sealed["address_sealed"] = self.cipher.encrypt(
                address, partner_alert_context("address")
            )
        return sealed

    def seal_name(self, record: PersonRecord, full_name: str) -> None:
        _apply(record, self.name_columns(full_name))

    def seal_id_number(self, record: PersonRecord, number: str) -> None:
        _apply(record, self.id_number_columns(number))

    def seal_phone(self, record: PersonRecord, phone: str | None) -> None:
        _apply(record, self.phone_columns(phone))

    def seal_address(self, record: PersonRecord, address: str | None) -> None:
        _apply(record, self.address_columns(address))

    def seal_profiles(self, record: PersonRecord, profiles: PersonProfiles) -> None:
        _apply(record, self.profiles_columns(profiles))

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
