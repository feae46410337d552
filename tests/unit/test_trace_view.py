import json
from pathlib import Path

from rich.console import Console

from wushe.shared.trace_view import build_tree, load_trace


def span(
    span_id: str, parent: str | None, service: str, name: str, start: int
) -> dict[str, object]:
    return {"trace_id": "t" * 32, "span_id": span_id, "parent_id": parent, "name": name,
            "service": service, "kind": "INTERNAL", "start_ns": start,
            "end_ns": start + 2_500_000, "status": "UNSET", "attributes": {}}  # fmt: skip


def test_tree_shows_service_span_and_duration(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    spans = [span("a", None, "intake", "POST /persons", 0),
             span("b", "a", "ledger", "intake.person process", 10),
             span("c", "b", "notify", "deliver ledger.file_opened", 20),
             {**span("z", None, "other", "unrelated", 0), "trace_id": "u" * 32}]  # fmt: skip
    path.write_text("".join(json.dumps(s) + "\n" for s in spans))
    loaded = load_trace(path, "t" * 32)
    assert len(loaded) == 3
    console = Console(record=True, width=120)
    console.print(build_tree(loaded, "t" * 32))
    text = console.export_text()
    assert "intake  POST /persons  2.5 ms" in text
    assert text.index("ledger") < text.index("notify")
    assert "unrelated" not in text


def test_a_span_linked_from_another_trace_is_shown_under_the_span_it_links_to(
    tmp_path: Path,
) -> None:
    path = tmp_path / "traces.jsonl"
    relay = {**span("r", None, "intake", "outbox relay person.registered", 5),
             "trace_id": "u" * 32, "links": [{"trace_id": "t" * 32, "span_id": "a"}]}  # fmt: skip
    spans = [span("a", None, "intake", "POST /persons", 0),
             span("b", "a", "ledger", "ledger apply person.registered", 10), relay,
             {**span("z", None, "other", "unrelated", 0), "trace_id": "u" * 32}]  # fmt: skip
    path.write_text("".join(json.dumps(s) + "\n" for s in spans))
    loaded = load_trace(path, "t" * 32)
    assert {s["span_id"] for s in loaded} == {"a", "b", "r"}
    console = Console(record=True, width=120)
    console.print(build_tree(loaded, "t" * 32))
    lines = console.export_text().splitlines()
    (relay_line,) = [line for line in lines if "outbox relay" in line]
    assert "(linked)" in relay_line
    (post_line,) = [line for line in lines if "POST /persons" in line]
    # A child is indented one level deeper than its parent.
    indent = len(post_line) - len(post_line.lstrip("│├└─ "))
    assert len(relay_line) - len(relay_line.lstrip("│├└─ ")) > indent
