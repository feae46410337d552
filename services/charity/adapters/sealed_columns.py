"""Charity's columns sealed with the FieldCipher, for the key rotation.

The associated data is the ``column`` that charity's service layer seals each value
with (donors.py, goods_movements.py, needs_commands.py, time_bank_logs.py,
time_bank_transfers.py); the adapters do not import the service layer, and a unit test
holds the two together.
"""

from wushe.charity.adapters.goods_orm import GoodsMovementRecord
from wushe.charity.adapters.needs_orm import NeedStepRecord
from wushe.charity.adapters.orm import DonorRecord
from wushe.charity.adapters.time_bank_orm import TimeBankEntry, TimeBankLog
from wushe.shared.sealed_columns import sealed_table

SEALED_TABLES = (
    sealed_table(
        DonorRecord, {"name_encrypted": "donors.name", "contact_encrypted": "donors.contact"}
    ),
    sealed_table(
        GoodsMovementRecord,
        {"donor_sealed": "goods_movements.donor", "reason_sealed": "goods_movements.reason"},
    ),
    sealed_table(NeedStepRecord, {"note_sealed": "need_steps.note"}),
    sealed_table(TimeBankEntry, {"reason_sealed": "time_bank_entries.reason"}),
    sealed_table(
        TimeBankLog,
        {
            "what_sealed": "time_bank_logs.what",
            "place_sealed": "time_bank_logs.place",
            "reason_sealed": "time_bank_logs.reason",
        },
    ),
)
