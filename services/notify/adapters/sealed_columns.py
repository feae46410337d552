"""Notify's columns sealed with the FieldCipher, for the key rotation.

The associated data is the ``column`` that notify's service layer seals each value with
(webhook_secrets.py, partner_profiles.py, donor_thanks.py): here the column's full name.
The adapters do not import the service layer, and a unit test holds the two together.
"""

from wushe.notify.adapters.orm import PartnerSecretRecord
from wushe.notify.adapters.sharing_orm import PartnerProfileRecord
from wushe.notify.adapters.thanks_orm import DonorThanksRecord
from wushe.shared.sealed_columns import sealed_table

SEALED_TABLES = (
    sealed_table(PartnerSecretRecord, {"sealed_secret": "partner_secrets.sealed_secret"}),
    sealed_table(PartnerProfileRecord, {"contacts_sealed": "partner_profiles.contacts_sealed"}),
    sealed_table(DonorThanksRecord, {"contact_sealed": "donor_thanks.contact_sealed"}),
)
