import base64
import os

import pytest
from cryptography.exceptions import InvalidTag

from wushe.shared.field_encryption import FieldCipher, UnknownKey, blind_index, parse_keys

OLD, NEW = os.urandom(32), os.urandom(32)


def test_values_round_trip_and_differ_each_time() -> None:
    cipher = FieldCipher({"k1": OLD}, "k1")
    first, second = (cipher.encrypt("张秀英", "persons.full_name") for _ in range(2))
    assert first != second and "张秀英" not in first
    assert cipher.decrypt(first, "persons.full_name") == "张秀英"


def test_a_value_moved_to_another_column_does_not_decrypt() -> None:
    cipher = FieldCipher({"k1": OLD}, "k1")
    stored = cipher.encrypt("13800138000", "persons.phone")
    with pytest.raises(InvalidTag):
        cipher.decrypt(stored, "persons.full_name")


def test_tampering_is_detected() -> None:
    cipher = FieldCipher({"k1": OLD}, "k1")
    key_id, _, payload = cipher.encrypt("x", "c").partition(":")
    raw = bytearray(base64.b64decode(payload))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        cipher.decrypt(f"{key_id}:{base64.b64encode(bytes(raw)).decode()}", "c")


def test_rotation_reads_old_values_and_writes_with_the_new_key() -> None:
    before = FieldCipher({"k1": OLD}, "k1").encrypt("42070419500312002X", "persons.id_number")
    rotated = FieldCipher({"k1": OLD, "k2": NEW}, "k2")
    assert rotated.decrypt(before, "persons.id_number") == "42070419500312002X"
    assert rotated.needs_rotation(before)
    assert rotated.key_id_of(rotated.encrypt("x", "c")) == "k2"
    with pytest.raises(UnknownKey):
        FieldCipher({"k2": NEW}, "k2").decrypt(before, "persons.id_number")


def test_keys_are_configured_as_id_equals_base64() -> None:
    spec = f"k1={base64.b64encode(OLD).decode()}, k2={base64.b64encode(NEW).decode()}"
    assert parse_keys(spec) == {"k1": OLD, "k2": NEW}
    with pytest.raises(ValueError):
        FieldCipher({"short": b"x" * 16}, "short")


def test_blind_index_is_keyed_and_column_bound() -> None:
    assert blind_index("张三", "a", "persons.full_name") == blind_index(
        "张三", "a", "persons.full_name"
    )
    assert blind_index("张三", "a", "persons.full_name") != blind_index(
        "张三", "b", "persons.full_name"
    )
    assert blind_index("张三", "a", "persons.full_name") != blind_index(
        "张三", "a", "persons.phone"
    )


def test_files_are_sealed_under_the_current_key_and_bound_to_what_they_are() -> None:
    workbook = "PK\x03\x04 张三 420704195003120021".encode()
    both = FieldCipher({"k1": OLD, "k2": NEW}, "k2")
    sealed = FieldCipher({"k1": OLD}, "k1").seal_bytes(workbook, "imports.rejected:job-1")
    assert sealed.startswith(b"k1:") and "张三".encode() not in sealed
    assert both.open_bytes(sealed, "imports.rejected:job-1") == workbook
    assert both.seal_bytes(workbook, "x").startswith(b"k2:")
    with pytest.raises(InvalidTag):
        both.open_bytes(sealed, "imports.rejected:job-2")
    with pytest.raises(UnknownKey, match="k1"):
        FieldCipher({"k2": NEW}, "k2").open_bytes(sealed, "imports.rejected:job-1")
