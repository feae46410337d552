"""Reads the local span file and renders one trace as a tree (service, span, duration)."""

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.tree import Tree


def load_trace(path: Path, trace_id: str) -> list[dict[str, Any]]:
    """The trace's spans, and the spans of other traces linked to one of them (an outbox
    relay's sending of a batch, linked to the traces that wrote its messages)."""
    if not path.exists():
        return []
    spans = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if trace_id in line and line.endswith("\n"):
                record = json.loads(line)
                if record["trace_id"] == trace_id or _linked_from(record, trace_id):
                    spans.append(record)
    return spans


def _linked_from(span: dict[str, Any], trace_id: str) -> str | None:
    """The span of ``trace_id`` that ``span`` (of another trace) links to, if any."""
    for link in span.get("links", []):
        if link["trace_id"] == trace_id:
            return str(link["span_id"])
    return None


def build_tree(spans: list[dict[str, Any]], trace_id: str) -> Tree:
    """Linked spans of other traces are shown under the span they link to."""
    by_id = {span["span_id"]: span for span in spans}
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for span in spans:
        parent = span["parent_id"]
        if span["trace_id"] != trace_id:
            parent = _linked_from(span, trace_id)
        children[parent if parent in by_id else None].append(span)
    services = sorted({span["service"] for span in spans})
    root = Tree(f"trace {trace_id}  ({len(spans)} spans; {', '.join(services)})")

    def add(node: Tree, parent_id: str | None) -> None:
        for span in sorted(children[parent_id], key=lambda s: s["start_ns"]):
            duration_ms = (span["end_ns"] - span["start_ns"]) / 1e6
            status = "" if span["status"] != "ERROR" else "  [red]ERROR[/red]"
            linked = "  (linked)" if span["trace_id"] != trace_id else ""
            branch = node.add(
                f"[bold]{span['service']}[/bold]  {span['name']}  {duration_ms:.1f} ms"
                f"{linked}{status}"
            )
            add(branch, span["span_id"])

    add(root, None)
    return root


def services_in_trace(spans: list[dict[str, Any]]) -> set[str]:
    return {span["service"] for span in spans}
