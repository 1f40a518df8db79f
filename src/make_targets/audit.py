"""`make audit`: known vulnerabilities in the pinned dependencies, then bandit on the handler.

pip-audit resolves requirements.txt and requirements-dev.txt (every transitive dependency, at
the versions they install) and asks PyPI's JSON API about each, at
``https://pypi.org/pypi/<name>/<version>/json``. Where that per-version document cannot be had
(pip-audit then skips the dependency: "Dependency not found on PyPI"), this falls back to the
project document ``https://pypi.org/pypi/<name>/json``, whose ``vulnerabilities`` are those of
the project's latest release: they answer for a pin that IS the latest release, and for no
other. A dependency neither can answer for is reported as not audited.

Fails (exit 1) on a known, non-withdrawn vulnerability; with ``--strict`` also on a dependency
that could not be audited. The last line printed is the verdict. Writes the findings as JSON
(``--output``) for the reliability report.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")
SHIPPED_PACKAGE = "src/community_sagemaker_imageversion"


@dataclass
class Dependency:
    name: str
    version: str
    source: str
    """Who answered: ``pip-audit`` (per-version document), ``project`` (the project document, the
    pin being the latest release) or ``none``."""
    vulnerabilities: list[str] = field(default_factory=list)
    note: str = ""


def pip_audit(python: str, requirements: tuple[str, ...]) -> list[dict[str, Any]]:
    """pip-audit's report of every resolved dependency (JSON ``dependencies``)."""
    command = [python, "-m", "pip_audit", "--progress-spinner", "off", "--format", "json"]
    for path in requirements:
        command += ["--requirement", path]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise SystemExit(f"pip-audit failed ({done.returncode}):\n{done.stderr}")
    dependencies: list[dict[str, Any]] = json.loads(done.stdout)["dependencies"]
    return dependencies


def project_document(name: str) -> dict[str, Any] | None:
    url = PYPI_PROJECT.format(name=name)
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:  # noqa: S310 (a fixed https URL)
            document: dict[str, Any] = json.load(reply)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None
    return document


def judge(entry: dict[str, Any]) -> Dependency:
    """One dependency of pip-audit's report, completed from the project document if needed."""
    name, version = entry["name"], entry.get("version", "")
    if "skip_reason" not in entry:
        ids = [v["id"] for v in entry.get("vulns", [])]
        return Dependency(name, version, "pip-audit", ids)
    if not version:
        version = entry["skip_reason"].rsplit("(", 1)[-1].rstrip(")")
    document = project_document(name)
    if document is None:
        return Dependency(name, version, "none", note="PyPI's project document unreachable")
    latest = str(document["info"]["version"])
    if latest != version:
        return Dependency(
            name, version, "none", note=f"pinned {version}, latest {latest}: no per-version data"
        )
    ids = [v["id"] for v in document.get("vulnerabilities", []) if not v.get("withdrawn")]
    return Dependency(name, version, "project", ids)


def bandit(python: str) -> dict[str, Any]:
    """bandit on the shipped package: its findings by severity."""
    command = [python, "-m", "bandit", "-r", SHIPPED_PACKAGE, "-f", "json", "-q"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    report = json.loads(done.stdout)
    issues = [
        f"{r['test_id']} {r['issue_severity']} {r['filename']}:{r['line_number']} {r['issue_text']}"
        for r in report["results"]
    ]
    lines = report["metrics"]["_totals"]["loc"]
    return {"issues": issues, "lines_scanned": lines, "exit_code": done.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m make_targets.audit")
    parser.add_argument("--strict", action="store_true", help="fail on unaudited dependencies")
    parser.add_argument("--output", type=Path, help="write the findings as JSON")
    args = parser.parse_args(argv)
    dependencies = [judge(entry) for entry in pip_audit(sys.executable, REQUIREMENTS)]
    vulnerable = [d for d in dependencies if d.vulnerabilities]
    unaudited = [d for d in dependencies if d.source == "none"]
    static = bandit(sys.executable)
    for d in vulnerable:
        print(f"VULNERABLE {d.name} {d.version}: {', '.join(d.vulnerabilities)}")
    for d in unaudited:
        print(f"not audited {d.name} {d.version}: {d.note}")
    for issue in static["issues"]:
        print(f"bandit: {issue}")
    by_source = {s: sum(1 for d in dependencies if d.source == s) for s in ("pip-audit", "project")}
    print(
        f"{len(dependencies)} dependencies: {by_source['pip-audit']} audited by pip-audit,"
        f" {by_source['project']} from PyPI's project document, {len(unaudited)} not audited;"
        f" {len(vulnerable)} with known vulnerabilities. bandit: {len(static['issues'])} issues"
        f" in {static['lines_scanned']} lines of {SHIPPED_PACKAGE}."
    )
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        findings = {"dependencies": [asdict(d) for d in dependencies], "bandit": static}
        args.output.write_text(json.dumps(findings, indent=2) + "\n")
    failed, line = verdict(
        len(vulnerable), len(unaudited), len(static["issues"]), static["exit_code"], args.strict
    )
    print(line)
    return 1 if failed else 0


def verdict(
    vulnerable: int, unaudited: int, bandit_issues: int, bandit_exit: int, strict: bool
) -> tuple[bool, str]:
    """Whether the audit fails, and its closing line: every reason it fails, or that it passes
    (with what it could not audit, which fails it only with ``--strict``)."""
    reasons = []
    if vulnerable:
        reasons.append(f"{vulnerable} vulnerable dependencies")
    if bandit_exit != 0:
        reasons.append(f"bandit exit {bandit_exit} with {bandit_issues} issues")
    if strict and unaudited:
        reasons.append(f"{unaudited} dependencies not audited (--strict)")
    if reasons:
        return True, "audit verdict: FAIL (" + "; ".join(reasons) + ")"
    caveat = f" ({unaudited} dependencies not audited)" if unaudited else ""
    return False, f"audit verdict: pass{caveat}"


if __name__ == "__main__":
    sys.exit(main())
