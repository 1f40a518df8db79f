"""The ``before`` policy: the handler package as it was before the cost work, run in a
subprocess whose path finds that package first (extracted from git; everything else, the
simulation and the emulator included, is today's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

BEFORE_COMMIT = "037a6aa9a2e8e8b0b6c2b96c2f9d1cccf90e759c"
# The package's path at BEFORE_COMMIT, spelled so that `make namespace` leaves it as it is there.
PACKAGE = "src/" + "_".join(("community", "sagemaker", "imageversion"))
# Today's name of the package, which the extracted code is imported as.
TODAY = "community_sagemaker_imageversion"
CACHE = Path(tempfile.gettempdir()) / "community-sagemaker-imageversion-before"
"""Where the package from before is extracted (outside the repository: cfn submit packs build/)."""


def package_root(repository: Path = Path()) -> Path:
    """A folder holding the handler package of :data:`BEFORE_COMMIT` (extracted once)."""
    root = CACHE / BEFORE_COMMIT[:12]
    if (root / TODAY / "handlers.py").exists():
        return root
    try:
        archive = subprocess.run(  # noqa: S603
            ["git", "archive", "--format=tar", BEFORE_COMMIT, PACKAGE],  # noqa: S607
            cwd=repository,
            check=True,
            capture_output=True,
        ).stdout
    except subprocess.CalledProcessError as error:
        raise RuntimeError(
            f"the 'before' policy needs commit {BEFORE_COMMIT[:12]} of this repository's history"
            f" (a shallow clone lacks it): {error.stderr.decode().strip()}"
        ) from error
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(PACKAGE + "/"):
                target = root / TODAY / member.name[len(PACKAGE) + 1 :]
                target.parent.mkdir(parents=True, exist_ok=True)
                extracted = tar.extractfile(member)
                assert extracted is not None
                target.write_bytes(extracted.read())
    return root


def run(arguments: list[str], repository: Path = Path()) -> Any:
    """``python -m simulation <arguments>`` with the package from before; its JSON answer."""
    source = (repository / "src").resolve()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(package_root(repository)), str(source)]),
    }
    answer = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "simulation", "--policy", "before", *arguments],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(answer.stdout)
