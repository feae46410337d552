"""Where each service's time goes while the pipeline runs at its maximum: py-spy samples
every service process (only the thread holding the GIL, so a sample is Python work, not
waiting), and the samples are summed by function.

py-spy attaches to a running process, as the services' own user can (no restart, no
change to the services). For each service it writes to the results folder the raw
stacks (`profile-<service>.txt`, the input of flamegraph.pl or speedscope) and a summary
of the functions with the largest share of samples, inclusive of what they call,
counting the project's own code and the libraries it calls by name
(`profile-<service>-top.txt`), which docs/performance.md reads.

    .venv/bin/python bench/pipeline.py --paths bulk --profile bench/results
    .venv/bin/python bench/pipeline_profile.py bench/results/profile-notify.txt
"""

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

SAMPLES_PER_SECOND = 100
TOP = 40
# Frames that every sample shares (the interpreter starting, the event loop running):
# their share says nothing about where the time goes.
_SHARED = re.compile(
    r"runpy|typer|click|uvicorn/(main|server|_compat)|cli/main\.py|asyncio/(runners|base_events"
    r"|events)\.py|uvloop|threading\.py|<module>"
)
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^)]*?)(?::\d+)?\)$")


@contextmanager
def profiling(pids: Mapping[str, int], folder: Path, seconds: float) -> Iterator[None]:
    """Samples ``pids`` (by service) for ``seconds`` while the block runs, then writes the
    raw stacks and their summaries to ``folder``. Without py-spy, says so and samples
    nothing."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("py-spy is not installed (the bench extra installs it): no profile", flush=True)
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    samplers = {service: _sampler(py_spy, pid, folder / f"profile-{service}.txt", seconds)
                for service, pid in pids.items()}  # fmt: skip
    try:
        yield
    finally:
        for service, sampler in samplers.items():
            try:
                _, errors = sampler.communicate(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                sampler.kill()
                _, errors = sampler.communicate()
            stacks = folder / f"profile-{service}.txt"
            if not stacks.exists():
                print(f"no profile of {service}: {errors.decode(errors='replace')[-300:]}")
                continue
            summary = summarise(stacks)
            (folder / f"profile-{service}-top.txt").write_text(summary, encoding="utf-8")


def _sampler(py_spy: str, pid: int, output: Path, seconds: float) -> subprocess.Popen[bytes]:
    command = [py_spy, "record", "--pid", str(pid), "--gil", "--format", "raw",
               "--rate", str(SAMPLES_PER_SECOND), "--duration", str(int(seconds)),
               "--output", str(output)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def function_shares(stacks: Path) -> tuple[int, Counter[str], Counter[str]]:
    """Samples in all, and by function the samples inside it (inclusive) and at it (self)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in stacks.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        names = [_name(frame) for frame in stack.split(";")]
        for name in set(names):
            if not _SHARED.search(name):
                inclusive[name] += samples
        own[names[-1]] += samples
    return total, inclusive, own


def summarise(stacks: Path, top: int = TOP) -> str:
    total, inclusive, own = function_shares(stacks)
    if not total:
        return "no samples\n"
    lines = [f"{total} samples of the thread holding the GIL, {SAMPLES_PER_SECOND} a second",
             "", "inclusive (the function and what it calls):"]  # fmt: skip
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "self (the function's own code):"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top // 2)]
    return "\n".join(lines) + "\n"


def _name(frame: str) -> str:
    """`function (file)`, the file from the package's folder on, without the line."""
    match = _FRAME.match(frame)
    if match is None:
        return frame
    file = match["file"].split("site-packages/")[-1]
    for root in ("/services/", "/shared/", "/cli/"):
        if root in file:
            file = root.strip("/") + "/" + file.split(root, 1)[1]
    return f"{match['function']} ({file})"


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(summarise(Path(argument)))
