"""Station ledgers as clerks keep them: headers in many spellings, Chinese words in the
cells, dates typed in several ways, codes that Excel turned into numbers, title rows,
GB18030 CSV files and workbooks with shared strings and date cells."""

from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from wushe.intake.adapters.spreadsheets import UnreadableLedger, open_ledger
from wushe.intake.domain.ledger_cells import CellError, day, groups, id_number, level, yuan_to_fen
from wushe.intake.domain.ledger_columns import column_for
from wushe.intake.domain.ledger_rows import LedgerLayout
from wushe.intake.domain.person import PersonRegistration


@pytest.mark.parametrize(
    "header,field",
    [("姓名", "full_name"), ("*姓名", "full_name"), ("姓名（必填）", "full_name"),
     ("姓 名", "full_name"), ("Full_Name", "full_name"), ("公民身份号码", "id_number"),
     ("手机号码", "phone"), ("村（社区）代码", "residence_region"),
     ("服务对象类别", "groups"), ("月保障金额（元）", "profiles.assistance.monthly_allowance_fen"),
     ("监护人姓名", "profiles.child.guardian_name"),
     ("患者监护人姓名", "profiles.mental_health.guardian_name")],
)  # fmt: skip
def test_headers_are_matched_tolerantly(header: str, field: str) -> None:
    column = column_for(header)
    assert column is not None and column.field == field
    assert column_for("备注") is None


def test_cells_take_the_words_of_the_ledgers() -> None:
    assert groups("独居老人、低保对象") == ["elderly_living_alone", "subsistence_allowance"]
    assert groups("孤儿，困境儿童") == ["child_orphan", "child_in_difficulty"]
    assert level("二级") == level("2级") == level(2.0) == 2
    assert day("1950年3月2日") == day("1950/3/2") == day("19500302") == date(1950, 3, 2)
    assert yuan_to_fen("680.5") == 68050 and yuan_to_fen("1,200元") == 120000
    for wrong, parser, reason in (
        ("宇航员", groups, "not a known group"),
        ("1950-02-30", day, "not a real date"),
        ("680.555", yuan_to_fen, "more than two decimals"),
        (4.20704195003120e17, id_number, "lost its last digits"),
    ):
        with pytest.raises(CellError, match=reason):
            parser(wrong)  # type: ignore[operator]


def test_a_refused_row_names_row_column_field_and_reason() -> None:
    headers = ["姓名", "身份证号", "现居住地区划代码", "户籍地区划代码", "人员类别", "残疾等级"]
    layout = LedgerLayout(headers, [column_for(h) for h in headers])
    good = layout.registration(5, ["王芳", "42070419500312002X", "420704", "420704", "空巢老人"])
    assert isinstance(good, PersonRegistration) and good.birth_date == date(1950, 3, 12)
    problems = layout.registration(6, ["王芳", "420704195003120021", "420799", "420704", "残疾人"])
    assert isinstance(problems, list)
    text = "\n".join(problems)
    assert "row 6, column B 身份证号 (id_number)" in text and "第6行B列" in text
    assert "check character" in text and "column C 现居住地区划代码" in text
    with_grade = layout.registration(
        7, ["王芳", None, "420704", "420704", "残疾人", "五级"]
    )  # fmt: skip
    assert isinstance(with_grade, list)
    assert "profiles.disability" in "".join(with_grade)


def test_a_gb18030_csv_with_a_title_row(tmp_path: Path) -> None:
    path = tmp_path / "台账.csv"
    path.write_text("凤凰街道独居老人台账\n姓名,联系电话,人员类别\n张三,13800138000,独居老人\n\n李四,,孤儿\n",
                    encoding="gb18030")  # fmt: skip
    sheet = open_ledger(path)
    assert sheet.header_row == 2 and sheet.rows_total == 3
    assert list(sheet.rows()) == [
        (3, ["张三", "13800138000", "独居老人"]),
        (5, ["李四", "", "孤儿"]),
    ]


def test_a_workbook_with_shared_strings_dates_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    dates = workbook.add_format({"num_format": "yyyy年m月d日"})
    sheet.write_row(0, 0, ["姓名", "出生日期", "联系电话", "身份证号"])
    sheet.write_string(1, 0, "张三")
    sheet.write_datetime(1, 1, datetime(1950, 3, 12), dates)
    sheet.write_number(1, 2, 13800138000)
    sheet.write_number(1, 3, 420704195003120020)
    sheet.write_string(3, 0, "李四")
    workbook.close()
    ledger = open_ledger(path)
    assert ledger.rows_total == 3
    rows = list(ledger.rows())
    assert rows[0][0] == 2 and rows[0][1][:3] == ["张三", date(1950, 3, 12), 13800138000]
    assert isinstance(rows[0][1][3], float)
    assert rows[1] == (4, ["李四"])


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(UnreadableLedger, match=r"not a readable \.xlsx"):
        open_ledger(broken)
    with pytest.raises(UnreadableLedger, match=r"only \.xlsx and \.csv"):
        open_ledger(tmp_path / "ledger.xls")
