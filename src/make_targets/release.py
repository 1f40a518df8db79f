"""`make release`: what a release publishes, for the handler version in ``__init__.py``, in
``build/release/``:

- ``community-sagemaker-imageversion-<version>.zip``: the registration package, built as
  `make package` builds it (:func:`make_targets.packaging.build_package`: `cfn submit --dry-run`
  with the project's Python, in a copy of the project);
- ``<that zip>.sha256``: its SHA-256 in ``sha256sum``'s format, so that
  ``cd build/release && sha256sum -c <zip>.sha256`` checks it;
- ``community-sagemaker-imageversion-<version>.md``: the release notes, CHANGELOG.md's section
  of that version, then the runtime and tool versions it was tested with (the table of
  ``TESTED_WITH.md``, from the same pins).

The CHANGELOG section is looked up first: a version with no release heading yet stops it before
anything is built.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from community_sagemaker_imageversion import __version__
from make_targets import changelog
from make_targets.packaging import PACKAGE_NAME, build_package

OUT = Path("build/release")
TESTED_WITH = Path("TESTED_WITH.md")
PROJECT = PACKAGE_NAME.removesuffix(".zip")

# The tested-with statement: what it names, and where each version is pinned.
PINNED = {
    "cloudformation-cli": "requirements-submit.txt",
    "cloudformation-cli-python-plugin": "requirements-submit.txt",
    "cloudformation-cli-python-lib": "requirements.txt",
    "cfn-lint": "requirements-dev.txt",
}
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", re.MULTILINE)

Build = Callable[[Path, Path], Path]


@dataclass(frozen=True)
class Release:
    """The files of release ``version``, by name."""

    version: str

    @property
    def package(self) -> str:
        return f"{PROJECT}-{self.version}.zip"

    @property
    def checksum(self) -> str:
        return f"{self.package}.sha256"

    @property
    def notes(self) -> str:
        return f"{PROJECT}-{self.version}.md"


def checksum_line(content: bytes, name: str) -> str:
    """The line ``sha256sum`` writes for a file ``name`` holding ``content``."""
    return f"{hashlib.sha256(content).hexdigest()}  {name}\n"


def pins(root: Path) -> dict[str, str]:
    """What the tested-with statement names: the Lambda runtime (``.rpdk-config``) and the
    versions :data:`PINNED` in the requirements files."""
    found = {"Lambda runtime": str(json.loads((root / ".rpdk-config").read_text())["runtime"])}
    for name, requirements in PINNED.items():
        pinned = dict(_PIN.findall((root / requirements).read_text()))
        found[name] = pinned.get(name, f"(not pinned in {requirements})")
    return found


def _table(found: Mapping[str, str]) -> list[str]:
    rows = [f"| {what} | `{version}` |" for what, version in found.items()]
    return ["| | version |", "| --- | --- |", *rows]


def tested_with(found: Mapping[str, str]) -> str:
    """The text of ``TESTED_WITH.md`` for the versions ``found`` (:func:`pins`)."""
    introduction = [
        "The Lambda runtime the handler is built for and the CloudFormation tools it is built,",
        "registered and tested with, as `.rpdk-config` and the requirements files pin them",
        "(`tests/tools/test_release.py` fails when this table and the pins disagree).",
    ]
    return "\n".join(["# Tested with", "", *introduction, "", *_table(found), ""])


def release_notes(section: str, found: Mapping[str, str]) -> str:
    """The notes of a release: its CHANGELOG ``section``, then what it was tested with."""
    return "\n".join([section.rstrip("\n"), "", "### Tested with", "", *_table(found), ""])


def release(
    root: Path, out: Path, version: str = __version__, build: Build = build_package
) -> Release:
    """Write release ``version`` of the project at ``root`` into ``out``; its files."""
    files = Release(version)
    section = changelog.release_section((root / changelog.CHANGELOG).read_text(), version)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="release-") as workdir:
        shutil.copyfile(build(root, Path(workdir)), out / files.package)
    content = (out / files.package).read_bytes()
    (out / files.checksum).write_text(checksum_line(content, files.package))
    (out / files.notes).write_text(release_notes(section, pins(root)))
    return files


def main() -> int:
    root = Path.cwd()
    try:
        files = release(root, root / OUT)
    except LookupError as error:
        print(f"make release: {error}", file=sys.stderr)
        return 2
    for name in (files.package, files.checksum, files.notes):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
