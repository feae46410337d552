"""Likely duplicates: how a name sounds, and which pairs the rules show a clerk."""

from dataclasses import replace
from datetime import date

import pytest

from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.duplicates import DuplicateRule, PersonTraits, duplicate_rule, village
from wushe.intake.domain.pinyin import toneless_pinyin
from wushe.shared.field_encryption import FieldCipher, derived_key


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("张秀英", "zhang xiu ying"),
        ("张秀瑛", "zhang xiu ying"),
        ("李桂芳", "li gui fang"),
        ("买买提·艾力", "mai mai ti ai li"),
        ("买买提 艾力", "mai mai ti ai li"),
        ("吕 秀兰", "lv xiu lan"),
        ("王ＡＢ", "wang ab"),
    ],
)
def test_a_name_reads_as_toneless_pinyin(name: str, reading: str) -> None:
    assert toneless_pinyin(name) == reading


def test_names_that_sound_different_read_differently() -> None:
    assert toneless_pinyin("张秀英") != toneless_pinyin("赵秀英")
    assert toneless_pinyin("刘玉兰") != toneless_pinyin("刘玉莲")


def test_the_vault_indexes_homophones_alike_and_keyed() -> None:
    cipher = FieldCipher({"k": derived_key("test")}, "k")
    vault = PersonalDataVault(cipher, "index-key")
    first, second = vault.name_columns("张秀英"), vault.name_columns("张秀瑛")
    assert first["full_name_pinyin_index"] == second["full_name_pinyin_index"]
    assert first["full_name_index"] != second["full_name_index"]
    other_key = PersonalDataVault(cipher, "another-key").name_columns("张秀英")
    assert other_key["full_name_pinyin_index"] != first["full_name_pinyin_index"]
    assert "zhang" not in first["full_name_pinyin_index"]


BORN = date(1948, 3, 2)
PERSON = PersonTraits(
    name_index="name-a",
    pinyin_index="pinyin-a",
    birth_date=BORN,
    residence_region="420704001001",
    has_id_number=False,
)


def test_same_name_birth_date_and_village_is_the_strongest_rule() -> None:
    assert duplicate_rule(PERSON, replace(PERSON)) is DuplicateRule.NAME_BIRTH_DATE_VILLAGE


def test_a_homophone_with_the_same_birth_date_is_flagged_anywhere() -> None:
    homophone = replace(PERSON, name_index="name-b", residence_region="420702")
    assert duplicate_rule(PERSON, homophone) is DuplicateRule.PINYIN_BIRTH_DATE
    elsewhere = replace(PERSON, residence_region="420703")
    assert duplicate_rule(PERSON, elsewhere) is DuplicateRule.PINYIN_BIRTH_DATE


def test_without_a_birth_date_the_residence_must_be_the_same() -> None:
    unknown = replace(PERSON, name_index="name-b", birth_date=None)
    assert duplicate_rule(PERSON, unknown) is DuplicateRule.PINYIN_RESIDENCE
    assert duplicate_rule(unknown, PERSON) is DuplicateRule.PINYIN_RESIDENCE
    assert duplicate_rule(PERSON, replace(unknown, residence_region="420704001002")) is None


@pytest.mark.parametrize(
    "other",
    [
        replace(PERSON, pinyin_index="pinyin-b"),
        replace(PERSON, birth_date=date(1948, 3, 3)),
        replace(PERSON, pinyin_index="pinyin-b", birth_date=None),
    ],
    ids=["sounds different", "born another day", "sounds different, birth unknown"],
)
def test_pairs_that_differ_are_not_flagged(other: PersonTraits) -> None:
    assert duplicate_rule(PERSON, other) is None


def test_two_id_numbers_are_two_people_whatever_else_agrees() -> None:
    with_id = replace(PERSON, has_id_number=True)
    assert duplicate_rule(with_id, replace(with_id)) is None
    assert duplicate_rule(with_id, PERSON) is DuplicateRule.NAME_BIRTH_DATE_VILLAGE


def test_a_township_code_is_not_the_same_village() -> None:
    in_the_township = replace(PERSON, residence_region="420704001")
    assert village(in_the_township.residence_region) != village(PERSON.residence_region)
    assert duplicate_rule(PERSON, in_the_township) is DuplicateRule.PINYIN_BIRTH_DATE
