"""The pipeline's chart: throughput and latency against offered load, one PNG.

Left, the alerts a second the receiver got (achieved) against the registrations a second
offered, per path, with the bare loop's rate as a reference line; right, p50/p95/p99
latency from intake's acceptance to the alert's arrival, on a log scale. The maximum run
is drawn at the rate it offered and marked; points beyond capacity are hollow.

    draw({"pipeline": {"bulk": [points], "http": [points], "bare_loop_per_second": N}},
         Path("bench/results/pipeline.png"))

where a point is {"offered", "achieved", "p50", "p95", "p99"} (and optionally "label",
"beyond_capacity").
"""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

COLOURS = {"bulk": "tab:blue", "http": "tab:orange"}
LINES = {"p50": ":", "p95": "--", "p99": "-"}


def draw(series: dict[str, Any], path: Path) -> None:
    pipeline = series.get("pipeline", series)
    bare = pipeline.get("bare_loop_per_second")
    paths = {name: points for name, points in pipeline.items() if isinstance(points, list)}
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(13, 5.2))

    for name, points in paths.items():
        colour = COLOURS.get(name)
        ordered = sorted(points, key=lambda point: point["offered"])
        offered = [point["offered"] for point in ordered]
        throughput.plot(offered, [p["achieved"] for p in ordered], "-", color=colour, label=name)
        for point in ordered:
            hollow = point.get("beyond_capacity")
            throughput.plot(point["offered"], point["achieved"], "o", color=colour,
                            markerfacecolor="white" if hollow else colour)  # fmt: skip
            if point.get("label") == "max":
                throughput.annotate(f"max {point['achieved']:,.0f}/s",
                                    (point["offered"], point["achieved"]),
                                    textcoords="offset points", xytext=(-10, 8),
                                    ha="right", color=colour)  # fmt: skip
        for share, style in LINES.items():
            measured = [(p["offered"], p[share]) for p in ordered if p.get(share) is not None]
            if measured:
                xs, ys = zip(*measured, strict=True)
                latency.plot(xs, ys, style, marker="o", color=colour, label=f"{name} {share}")

    offered = [point["offered"] for points in paths.values() for point in points]
    if offered:
        span = [min(offered), max(offered)]
        throughput.plot(span, span, color="grey", linewidth=0.8, label="achieved = offered")
    if bare:
        throughput.axhline(bare, color="black", linestyle="--", linewidth=1,
                           label=f"bare loop {bare:,.0f}/s")  # fmt: skip
    for panel in (throughput, latency):
        panel.set_xscale("log")
    throughput.set_yscale("log")
    throughput.set_xlabel("offered registrations/s")
    throughput.set_ylabel("alerts/s at the receiver")
    throughput.set_title("Throughput (hollow: beyond capacity)")
    throughput.grid(True, which="both", alpha=0.3)
    throughput.legend(fontsize="small")

    latency.axhline(250, color="red", linewidth=0.8, label="p99 target 250 ms")
    latency.set_yscale("log")
    latency.set_xlabel("offered registrations/s")
    latency.set_ylabel("intake's acceptance to alert arrival, ms")
    latency.set_title("Latency")
    latency.grid(True, which="both", alpha=0.3)
    latency.legend(fontsize="small", ncol=2)

    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
