"""The installable wheel (what the production image installs) carries every service and
the divisions data."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_services_and_their_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(tmp_path.glob("wushe-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for service in ("intake", "ledger", "charity", "notify"):
        assert f"wushe/{service}/bootstrap.py" in names
        assert f"wushe/{service}/migrations/env.py" in names
        assert any(n.startswith(f"wushe/{service}/migrations/versions/") for n in names)
    assert "wushe/shared/relay.py" in names
    assert "wushe/shared/divisions/divisions-2023.tsv.xz" in names
    assert "wushe/cli/main.py" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)
