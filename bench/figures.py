"""A figure a benchmark measured, beside its target, and where the runner collects them.

Each benchmark appends its figures, one JSON object a line, to the file that
``WUSHE_BENCH_FIGURES`` names (the runner sets it); run alone, a benchmark only prints.
"""

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

FIGURES_FILE_VARIABLE = "WUSHE_BENCH_FIGURES"


@dataclass(frozen=True)
class Figure:
    suite: str  # the benchmark: "pipeline", "scaling", "intake", "ledger", "charity", "notify"
    name: str  # what was measured, e.g. "events applied per second"
    value: float | None  # None when it could not be measured (say why in `note`)
    unit: str  # "events/s", "ms", "s", "×"
    target: float | None = None
    better: Literal["higher", "lower"] | None = None  # which side of the target meets it
    note: str = ""  # the conditions: database, path, offered load, load average

    @property
    def met(self) -> bool | None:
        if self.target is None or self.better is None or self.value is None:
            return None
        if self.better == "higher":
            return self.value >= self.target
        return self.value <= self.target


def record(figures: Iterable[Figure], series: dict[str, Any] | None = None) -> None:
    """Appends figures (and, for charts, named series of points) to the runner's file."""
    target = os.environ.get(FIGURES_FILE_VARIABLE)
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        for figure in figures:
            handle.write(json.dumps({"figure": asdict(figure)}, ensure_ascii=False) + "\n")
        if series:
            handle.write(json.dumps({"series": series}, ensure_ascii=False) + "\n")


def read_figures(path: Path) -> tuple[list[Figure], dict[str, Any]]:
    """The figures and series a run's benchmarks appended to ``path``."""
    figures: list[Figure] = []
    series: dict[str, Any] = {}
    if not path.exists():
        return figures, series
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if "figure" in item:
            figures.append(Figure(**item["figure"]))
        else:
            series.update(item["series"])
    return figures, series
