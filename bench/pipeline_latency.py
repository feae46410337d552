"""Where an alert's latency goes, from the spans of a pipeline run kept with
`bench/pipeline.py --keep DIR` (the services write them to `DIR/traces.jsonl`).

Each alert's spans form one chain: intake's request (`POST /imports` and the import of its
ledger, or `POST /persons`), the ledger applying the person's `person.registered`, notify
routing the `ledger.file_opened` that followed, and notify delivering the alert. For every
delivered alert it takes the stretches between them:

- intake: from the request's start to the end of intake's work on it (an imported row
  waits for its whole file to be prepared and committed);
- to the ledger: to the ledger starting to apply the event (intake's relay, the broker,
  the ledger's fetch, and the events before it in the ledger's poll);
- ledger: applying it;
- to notify: to notify starting to route the `ledger.file_opened` (the rest of the
  ledger's poll, its commit, its relay, the broker, notify's fetch, and the events
  before it in notify's poll);
- routing: deciding and writing the alert;
- to the request: to the webhook request's start (the rest of notify's poll, its
  commit, the lease, and the attempts started before it in the round);
- request: the webhook's round trip, the receiver checking the signature;

and prints their p50/p95/p99 for each step of the run (from `steps.json`, which the bench
writes beside the spans; the warm-up's requests are left out), with how many alerts a
request led to (the rows of an imported file). The total runs from the request's start,
so it is longer than the pipeline's own figure, which starts at the event's
`occurred_at`.

    .venv/bin/python bench/pipeline.py --paths bulk --loads 1000 --max-seconds 5 --keep /tmp/run
    .venv/bin/python bench/pipeline_latency.py /tmp/run/traces.jsonl
"""

import argparse
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from one_service import percentile

STAGES = (
    "intake", "to the ledger", "ledger", "to notify", "routing", "to the request", "request",
    "total",
)  # fmt: skip
# Groups with fewer alerts than this are left out (a warm-up's).
SMALLEST_STEP = 50


@dataclass(frozen=True)
class Span:
    span_id: str
    parent_id: str | None
    name: str
    service: str
    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class Chain:
    """One delivered alert's spans, from the request that registered its person."""

    root: Span
    intake: Span
    ledger: Span
    routing: Span
    delivery: Span

    @property
    def path(self) -> str:
        return "http" if self.root.name == "POST /persons" else "bulk"

    def stretches(self) -> dict[str, float]:
        return {
            "intake": self.intake.end_ms - self.root.start_ms,
            "to the ledger": self.ledger.start_ms - self.intake.end_ms,
            "ledger": self.ledger.end_ms - self.ledger.start_ms,
            "to notify": self.routing.start_ms - self.ledger.end_ms,
            "routing": self.routing.end_ms - self.routing.start_ms,
            "to the request": self.delivery.start_ms - self.routing.end_ms,
            "request": self.delivery.end_ms - self.delivery.start_ms,
            "total": self.delivery.end_ms - self.root.start_ms,
        }


def read_spans(lines: Iterable[str]) -> dict[str, Span]:
    spans = {}
    for line in lines:
        if not line.strip():
            continue
        raw: dict[str, Any] = json.loads(line)
        spans[raw["span_id"]] = Span(
            raw["span_id"], raw["parent_id"], raw["name"], raw["service"],
            raw["start_ns"] / 1e6, raw["end_ns"] / 1e6,
        )  # fmt: skip
    return spans


def chains(spans: dict[str, Span]) -> Iterator[Chain]:
    """Every delivered alert whose whole chain was recorded."""
    for span in spans.values():
        if not (span.service == "notify" and span.name.startswith("deliver ")):
            continue
        routing = spans.get(span.parent_id or "")
        ledger = spans.get(routing.parent_id or "") if routing else None
        if not (routing and ledger and ledger.name.startswith("ledger apply ")):
            continue
        intake = spans.get(ledger.parent_id or "")
        if intake is None or intake.service != "intake":
            continue
        root = intake
        while root.parent_id in spans:
            root = spans[root.parent_id]
        yield Chain(root, intake, ledger, routing, span)


@dataclass(frozen=True)
class StepTimes:
    path: str
    label: str
    from_ms: float
    until_ms: float


def read_steps(path: Path) -> list[StepTimes]:
    """The run's steps (``steps.json`` beside the spans), or none when it is missing."""
    if not path.exists():
        return []
    return [
        StepTimes(step["path"], step["label"], step["from"] * 1000, step["until"] * 1000)
        for step in json.loads(path.read_text())
    ]


def by_step(found: Iterable[Chain], times: list[StepTimes]) -> dict[str, list[Chain]]:
    """The alerts of each step whose offering their request came in; without the
    steps' times, of each path."""
    groups: dict[str, list[Chain]] = defaultdict(list)
    for chain in found:
        started = chain.root.start_ms
        step = next(
            (s for s in times if s.path == chain.path and s.from_ms <= started <= s.until_ms),
            None,
        )
        if step is not None:
            groups[f"{step.path} at {step.label}"].append(chain)
        elif not times:
            groups[chain.path].append(chain)
    return {name: group for name, group in groups.items() if len(group) >= SMALLEST_STEP}


def table(name: str, group: list[Chain]) -> str:
    requests: dict[str, int] = defaultdict(int)
    for chain in group:
        requests[chain.root.span_id] += 1
    stretches = [chain.stretches() for chain in group]
    rows = [
        f"{name}: {len(group):,} alerts from {len(requests):,} requests, "
        f"{statistics.median(requests.values()):,.0f} alerts a request",
        "| stretch | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|",
    ]
    for stage in STAGES:
        values = [stretch[stage] for stretch in stretches]
        rows.append(
            f"| {stage} | {percentile(values, 0.5):,.1f} | {percentile(values, 0.95):,.1f} "
            f"| {percentile(values, 0.99):,.1f} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("traces", type=Path, help="traces.jsonl of a run kept with --keep")
    args = parser.parse_args()
    with args.traces.open(encoding="utf-8") as lines:
        spans = read_spans(lines)
    groups = by_step(chains(spans), read_steps(args.traces.with_name("steps.json")))
    if not groups:
        raise SystemExit(f"{args.traces}: no delivered alert with its whole chain of spans")
    print("\n\n".join(table(name, group) for name, group in groups.items()))


if __name__ == "__main__":
    main()
