"""Registrations through intake's API until the partner's webhook has every alert.

Starts the embedded broker (unless KAFKA_BOOTSTRAP_SERVERS is set) and the four
services as processes, registers people at a fixed concurrency, and prints accepted
registrations per second and the latency from intake's acceptance to the alert's
arrival at a local receiver (p50/p95/p99). Uses SQLite unless *_DATABASE_URL is set.

    .venv/bin/python bench/registration_flow.py --count 2000 --concurrency 16
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.infrastructure import kafka_bootstrap
from support.running_stack import RunningStack
from wushe.shared.settings import SERVICE_NAMES


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def register_all(stack: RunningStack, count: int, concurrency: int) -> dict[str, float]:
    accepted: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)
    async with httpx.AsyncClient(headers=stack.headers(), timeout=30) as client:

        async def worker() -> None:
            while not queue.empty():
                number = queue.get_nowait()
                response = await client.post(
                    stack.url("intake") + "/persons",
                    json={"full_name": f"测试{number}", "residence_region": "420704",
                          "household_region": "420704", "birth_date": "1950-03-12",
                          "groups": ["elderly_living_alone"]},
                )  # fmt: skip
                response.raise_for_status()
                accepted[response.json()["person_id"]] = time.time()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    arrivals: dict[str, float] = {}
    with kafka_bootstrap() as bootstrap, tempfile.TemporaryDirectory() as data_dir:
        urls = {s: os.environ.get(f"{s.upper()}_DATABASE_URL", "") for s in SERVICE_NAMES}
        urls = {s: u or f"sqlite+aiosqlite:///{data_dir}/{s}.db" for s, u in urls.items()}
        stack = RunningStack("bench", bootstrap, Path(data_dir), urls, log_level="INFO")
        stack.on_alert = lambda alert: arrivals.setdefault(
            alert["data"].get("person_id", ""), time.time()
        )
        stack.start()
        try:
            started = time.perf_counter()
            accepted = asyncio.run(register_all(stack, args.count, args.concurrency))
            api_seconds = time.perf_counter() - started
            deadline = time.monotonic() + args.timeout
            while len(set(accepted) & set(arrivals)) < len(accepted):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            total_seconds = time.perf_counter() - started
        finally:
            stack.stop()

    delivered = [arrivals[p] - accepted[p] for p in accepted if p in arrivals]
    figures = {
        "registrations": args.count,
        "concurrency": args.concurrency,
        "api_registrations_per_second": round(args.count / api_seconds, 1),
        "end_to_end_alerts_per_second": round(len(delivered) / total_seconds, 1),
        "alerts_delivered": len(delivered),
        "latency_ms_p50": round(statistics.median(delivered) * 1000, 1) if delivered else None,
        "latency_ms_p95": round(percentile(delivered, 0.95) * 1000, 1) if delivered else None,
        "latency_ms_p99": round(percentile(delivered, 0.99) * 1000, 1) if delivered else None,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
