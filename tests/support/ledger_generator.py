"""Realistic station ledgers for tests and benchmarks: Chinese names, valid ID numbers
of real counties, real village codes, and the groups and circumstances of the people
stations serve; optionally with the mistakes clerks make."""

import csv
import random
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from wushe.intake.domain.identity import check_character
from wushe.shared.divisions import current_codes

HEADERS = [
    "姓名", "身份证号", "性别", "出生日期", "联系电话", "现住址", "现居住地区划代码",
    "户籍地区划代码", "人员类别", "经济来源", "健康状况", "监护人姓名", "父亲状况",
    "残疾类别", "残疾等级", "危险性评估等级", "发现地点", "发现日期", "月保障金额（元）",
]  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
GIVEN = "秀英桂兰建国志强玉梅淑珍明华丽娟小红子涵浩然欣怡国平德福春花金凤文斌海燕红霞永刚思雨梓轩"
STREETS = ("滨湖南路", "寒溪路", "文星路", "古楼街", "凤凰路", "吴都大道", "江碧路")

Row = list[str]


class LedgerGenerator:
    def __init__(self, region_prefix: str = "4207", seed: int = 20261123) -> None:
        self.random = random.Random(seed)
        self.villages = sorted(current_codes("village", region_prefix))
        self.registered_on = date(2026, 11, 1)
        self._used_ids: set[str] = set()

    def name(self) -> str:
        given = "".join(self.random.choice(GIVEN) for _ in range(self.random.choice((1, 2))))
        return self.random.choice(SURNAMES) + given

    def birth_date(self, youngest: int, oldest: int) -> date:
        days = self.random.randint(youngest * 366, oldest * 365)
        return self.registered_on - timedelta(days=days)

    def id_number(self, county: str, birth: date, female: bool) -> str:
        while True:
            sequence = self.random.randrange(0, 1000, 1) // 2 * 2 + (0 if female else 1)
            first = f"{county}{birth:%Y%m%d}{sequence % 1000:03d}"
            number = first + check_character(first)
            if number not in self._used_ids:
                self._used_ids.add(number)
                return number

    def row(self) -> Row:
        village = self.random.choice(self.villages)
        kind = self.random.choices(
            ("elderly", "child", "disabled", "mental", "allowance", "poverty", "homeless"),
            weights=(40, 25, 10, 5, 10, 5, 5),
        )[0]
        ages = {"elderly": (61, 95), "child": (3, 17)}.get(kind, (19, 59))
        birth, female = self.birth_date(*ages), self.random.random() < 0.5
        values = dict.fromkeys(HEADERS, "")
        values |= {
            "姓名": self.name(), "现居住地区划代码": village, "户籍地区划代码": village[:6],
            "现住址": f"{self.random.choice(STREETS)}{self.random.randint(1, 300)}号",
            "联系电话": f"1{self.random.choice('3589')}{self.random.randint(0, 999999999):09d}",
        }  # fmt: skip
        if kind != "homeless":
            values["身份证号"] = self.id_number(village[:6], birth, female)
        if kind == "elderly":
            values["人员类别"] = self.random.choice(("独居老人", "空巢老人", "留守老人、低保对象"))
            values["经济来源"] = self.random.choice(("养老金", "子女赡养", "低保金"))
            values["健康状况"] = self.random.choice(("健康", "慢性病", "半失能"))
        elif kind == "child":
            values["人员类别"] = self.random.choice(("留守儿童", "困境儿童", "孤儿"))
            values["监护人姓名"], values["父亲状况"] = self.name(), "外出务工"
            values["联系电话"] = ""
        elif kind == "disabled":
            values["人员类别"] = "残疾人"
            values["残疾类别"] = self.random.choice(("肢体", "视力", "听力", "智力"))
            values["残疾等级"] = self.random.choice(("一级", "二级", "三级", "四级"))
        elif kind == "mental":
            values["人员类别"], values["危险性评估等级"] = (
                "严重精神障碍患者",
                str(self.random.randint(0, 3)),
            )
        elif kind in ("allowance", "poverty"):
            values["人员类别"] = "低保对象" if kind == "allowance" else "特困人员"
            values["月保障金额（元）"] = (
                f"{self.random.randint(500, 900)}.{self.random.choice(('00', '50'))}"
            )
        else:
            values |= {"人员类别": "流浪乞讨人员", "户籍地区划代码": "", "联系电话": "",
                       "出生日期": birth.isoformat(), "发现地点": "鄂州火车站",
                       "发现日期": "2026-10-30"}  # fmt: skip
        return [values[header] for header in HEADERS]

    def spoil(self, row: Row) -> tuple[Row, str]:
        """A copy of the row with one mistake; returns the header it concerns."""
        row = list(row)
        mistake = self.random.randrange(5)
        column = ("身份证号", "联系电话", "姓名", "人员类别", "现居住地区划代码")[mistake]
        position = HEADERS.index(column)
        if column == "身份证号" and row[position]:
            check = row[position][-1]
            row[position] = row[position][:-1] + ("0" if check != "0" else "1")
        elif column == "身份证号":
            column, position = "姓名", HEADERS.index("姓名")
        if column == "联系电话":
            row[position] = "1380013"
        elif column == "姓名":
            row[position] = ""
        elif column == "人员类别":
            row[position] = "宇航员"
        elif column == "现居住地区划代码":
            row[position] = row[position][:6] + "999999"
        return row, column

    def rows(self, count: int) -> Iterator[Row]:
        for _ in range(count):
            yield self.row()


def write_csv(path: Path, rows: Iterator[Row] | list[Row], title: str | None = None) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        if title:
            writer.writerow([title])
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Iterator[Row] | list[Row], title: str | None = None) -> Path:
    """A workbook as Excel and WPS save them: strings shared, dates as date cells."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("台账")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    lines = [[title]] if title else []
    for number, row in enumerate([*lines, HEADERS, *rows]):
        for column, value in enumerate(row):
            if _DATE.fullmatch(value):
                sheet.write_datetime(number, column, datetime.fromisoformat(value), dates)
            elif value:
                sheet.write_string(number, column, value)
    workbook.close()
    return path


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
