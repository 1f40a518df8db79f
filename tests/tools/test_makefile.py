"""The Makefile's description of `make test`'s coverage gate says what its recipe does: one floor
on the shipped package's total, none per file."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def described(target: str) -> str:
    """The ``## target: ...`` description of ``target``, its lines joined."""
    text = (ROOT / "Makefile").read_text()
    block = re.search(rf"^## {re.escape(target)}: .*\n(?:## .*\n)*", text, re.MULTILINE)
    assert block, f"no description of {target}"
    return " ".join(line.removeprefix("## ") for line in block.group(0).splitlines())


def recipe(target: str) -> str:
    """The recipe lines of ``target``."""
    text = (ROOT / "Makefile").read_text()
    rule = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)*)", text, re.MULTILINE)
    assert rule, f"no rule for {target}"
    return rule.group(1)


def test_the_coverage_floor_is_described_as_the_gate_on_the_total_it_is():
    assert "--fail-under=$(COVERAGE_FLOOR)" in recipe("test")
    floor = next(part for part in described("test").split("; ") if "COVERAGE_FLOOR" in part)
    assert "total" in floor, floor
    assert "no floor per file" in floor, floor


def test_coverage_fails_under_the_floor_on_the_total_only(tmp_path):
    """What that description says of the tool: a file far below the floor passes when the total
    reaches it."""
    (tmp_path / "whole.py").write_text("".join(f"x{n} = {n}\n" for n in range(18)))
    (tmp_path / "half.py").write_text("def never():\n    return 1\n")
    (tmp_path / "main.py").write_text("import half\nimport whole\n")

    def coverage(action: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "coverage", action, "--data-file=.cov", *arguments]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)

    assert coverage("run", "main.py").returncode == 0
    report = coverage("report", "--fail-under=90")
    assert re.search(r"^half\.py\s+2\s+1\s+50%", report.stdout, re.MULTILINE), report.stdout
    assert report.returncode == 0, report.stdout
    assert coverage("report", "--fail-under=99").returncode != 0
