"""The ledger keeps one file per person and follows intake: every change is on the
person's timeline with who, when, where and its trace; a relocation hands the file to
the receiving region's station; a merge shows both histories on the survivor's file."""

from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from support.running_stack import RunningStack, wait_for
from wushe.shared.auth import Role

VILLAGE = "420704001003"  # 凤凰街道古城社区


def register(stack: RunningStack, full_name: str, groups: list[str]) -> str:
    body = {"full_name": full_name, "residence_region": VILLAGE, "household_region": "420704",
            "groups": groups, "birth_date": "1944-03-02", "sex": "female"}  # fmt: skip
    person_id: str = stack.post("intake", "/persons", body)["person_id"]
    return person_id


def act(stack: RunningStack, path: str, body: dict[str, Any]) -> Any:
    response = stack.request("POST", "intake", path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def timeline_until(
    stack: RunningStack, person_id: str, last: str, count: int = 1
) -> list[dict[str, Any]]:
    """The person's timeline, without the alerts partners were sent about them (which
    depend on the partners other tests registered), once its latest entry is of type
    ``last`` and it holds at least ``count`` entries (a person's own events and a merge
    keyed by the survivor travel on different partitions, so either may be applied
    first)."""

    def arrived() -> list[dict[str, Any]] | None:
        timeline = stack.found("ledger", f"/files/{person_id}/timeline")
        every: list[dict[str, Any]] = timeline["items"] if timeline else []
        items = [item for item in every if item["source"] != "notify"]
        return items if len(items) >= count and items[-1]["event_type"] == last else None

    return wait_for(arrived, timeout=30, what=f"{last} on the timeline of {person_id}")


def test_the_file_follows_changes_relocation_and_merge(running_stack: RunningStack) -> None:
    survivor = register(running_stack, "周桂英", ["elderly_living_alone"])
    duplicate = register(running_stack, "周桂瑛", ["subsistence_allowance"])
    path = f"/persons/{survivor}"
    act(running_stack, f"{path}/groups", {"group": "elderly_advanced_age", "reason": "年满80周岁"})
    moving = {"to_region": "420702", "moved_on": "2026-11-20", "reason": "随子女迁居"}
    move = act(running_stack, f"{path}/relocation", moving)
    act(
        running_stack,
        f"{path}/merge",
        {"duplicate_id": duplicate, "reason": "同一人，名字写法不同"},
    )

    entries = timeline_until(running_stack, survivor, "person.merged", count=5)
    assert [e["event_type"] for e in entries] == [
        "person.registered", "person.registered", "person.group_joined",
        "person.relocated", "person.merged",
    ]  # fmt: skip
    assert {e["person_id"] for e in entries} == {survivor, duplicate}
    relocated = entries[3]
    assert relocated["actor"] == "test-admin" and relocated["source"] == "intake"
    assert relocated["trace_id"] == move["trace_id"]
    assert relocated["details"]["to_region"] == "420702"
    assert all(e["trace_id"] and e["region_code"] for e in entries)

    kept = running_stack.found("ledger", f"/files/{survivor}")
    assert kept["region_code"] == "420702" and kept["status"] == "open"
    assert sorted(kept["groups"]) == [
        "elderly_advanced_age", "elderly_living_alone", "subsistence_allowance"
    ]  # fmt: skip
    closed = running_stack.found("ledger", f"/files/{duplicate}")
    assert closed["status"] == "merged" and closed["merged_into"] == survivor

    case = {"person_id": survivor, "kind": "elderly_care", "risk_level": "high"}
    opened = running_stack.request("POST", "ledger", "/cases", json=case)
    assert opened.status_code == 201, opened.text
    exported = running_stack.get("ledger", f"/files/{survivor}/export")
    assert exported.status_code == 200, exported.text
    sheet = load_workbook(BytesIO(exported.content)).active
    assert sheet is not None and sheet["A1"].value == "服务对象档案（一人一档）"
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    groups = cells[cells.index("服务对象类别") + 1]
    assert sorted(groups.split("、")) == sorted(["高龄老年人", "独居老年人", "低保对象"])
    assert cells.count("登记建档") == 2 and "迁居，档案移交" in cells and "重复档案合并" in cells
    assert move["trace_id"] in cells
    assert "养老服务" in cells and "接案" in cells and "个案接案" in cells
    partner = running_stack.headers(running_stack.token(Role.PARTNER, region="420702"))
    refused = running_stack.request("GET", "ledger", f"/files/{survivor}/export", headers=partner)
    assert refused.status_code == 403

    for station, expected in (("420704", 403), ("420702", 200)):
        staff = running_stack.headers(running_stack.token(Role.STATION_STAFF, region=station))
        response = running_stack.request("GET", "ledger", f"/files/{survivor}/timeline",
                                         headers=staff)  # fmt: skip
        assert response.status_code == expected, (station, response.text)


def test_an_undone_merge_gives_each_file_its_own_timeline(running_stack: RunningStack) -> None:
    survivor = register(running_stack, "吴秀兰", ["elderly_empty_nest"])
    duplicate = register(running_stack, "吴秀岚", ["extreme_poverty"])
    merge = act(running_stack, f"/persons/{survivor}/merge",
                {"duplicate_id": duplicate, "reason": "同一人"})  # fmt: skip
    act(running_stack, f"/merges/{merge['merge_id']}/undo", {"reason": "核实为两人"})

    entries = timeline_until(running_stack, survivor, "person.unmerged", count=3)
    assert [e["event_type"] for e in entries] == [
        "person.registered", "person.merged", "person.unmerged"
    ]  # fmt: skip
    own = timeline_until(running_stack, duplicate, "person.unmerged", count=3)
    restored = running_stack.found("ledger", f"/files/{duplicate}")
    assert restored["status"] == "open" and restored["merged_into"] is None
    assert restored["groups"] == ["extreme_poverty"]
    assert [e["person_id"] for e in own] == [duplicate] * 3
