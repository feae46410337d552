"""Intake's columns sealed with the FieldCipher, for the key rotation."""

from wushe.intake.adapters.consent_orm import ConsentRecord
from wushe.intake.adapters.guardian_names import GUARDIAN_NAME
from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import ADDRESS, ID_NUMBER, NAME, PHONE, PROFILES
from wushe.shared.sealed_columns import sealed_table

SEALED_TABLES = (
    sealed_table(
        PersonRecord,
        {
            "full_name_encrypted": NAME,
            "id_number_encrypted": ID_NUMBER,
            "phone_encrypted": PHONE,
            "address_encrypted": ADDRESS,
            "profiles_encrypted": PROFILES,
        },
    ),
    sealed_table(ConsentRecord, {"guardian_name_encrypted": GUARDIAN_NAME}),
)
