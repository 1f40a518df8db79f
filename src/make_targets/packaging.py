"""Build the registration package (`cfn submit --dry-run`, as `make package` runs it) in a copy of
the project, so the working tree gets no build/ folder or zip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from make_targets.submit import build_environment

PACKAGE_NAME = "community-sagemaker-imageversion.zip"
_FILES = (".rpdk-config", "sagemaker-imageversion.json", "requirements.txt", "template.yml")


def build_package(root: Path, workdir: Path) -> Path:
    """The zip `cfn submit --dry-run` builds from the project at ``root``, built in ``workdir``."""
    for name in _FILES:
        shutil.copy(root / name, workdir / name)
    os.symlink("sagemaker-imageversion.json", workdir / "community-sagemaker-imageversion.json")
    shutil.copytree(root / "src", workdir / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(root / "inputs", workdir / "inputs")
    subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "cfn"), "submit", "--dry-run"],
        cwd=workdir,
        env=build_environment(os.environ, sys.executable),
        check=True,
        capture_output=True,
    )
    return workdir / PACKAGE_NAME
