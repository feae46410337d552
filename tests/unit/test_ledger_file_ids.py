"""A file's id is derived from its person, the same in every ledger and every rebuild,
and the same as the ledgers written before ids were made with uuid_utils; a file a batch
opens is written with the files table's columns."""

import uuid
from dataclasses import fields

from wushe.ledger.adapters.orm import LedgerFileRecord, metadata
from wushe.ledger.service_layer.files import FileRow, file_id_of


def test_a_file_id_is_the_name_based_uuid_of_its_person() -> None:
    person_id = "0193f6f4-8c1e-7d3a-9a55-3c1f0b2e4d61"
    expected = uuid.uuid5(uuid.NAMESPACE_URL, f"wushe:ledger-file:{person_id}")
    assert file_id_of(person_id) == str(expected)
    assert file_id_of(person_id) != file_id_of("0193f6f4-8c1e-7d3a-9a55-3c1f0b2e4d62")


def test_a_file_a_batch_opens_has_every_column_of_the_files_table() -> None:
    table = metadata.tables[LedgerFileRecord.__tablename__]
    assert {field.name for field in fields(FileRow)} == {column.key for column in table.columns}
