"""The wheel installs the layers under the clientdesk package, never at the top level."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_puts_every_layer_under_clientdesk(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("clientdesk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert {"store", "widgets", "tui"}.isdisjoint(top_level)
    assert "clientdesk/store/repository.py" in names
    assert "clientdesk/store/closing_template.json" in names
    assert "clientdesk/tui/cli.py" in names
    assert any(name.startswith("clientdesk/widgets/") for name in names)
    assert any(name.endswith(".tcss") for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "clientdesk = clientdesk.tui.cli:main" in scripts
