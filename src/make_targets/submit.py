"""`make submit` and `make package`: `cfn submit` with the bundle built by this project's Python.

cloudformation-cli-python-plugin fills build/ by running the first ``pip`` on PATH. Here that pip
is always ``lambda_pip/pip``, run by the interpreter running this module (``.venv`` or
``.venv-submit``): the bundle holds wheels for the Lambda's runtime, trimmed to what it runs
(``make_targets.lambda_build``), whatever Python or pip comes first on the caller's PATH.

    PYTHONPATH=src .venv/bin/python -m make_targets.submit --dry-run
    PYTHONPATH=src .venv-submit/bin/python -m make_targets.submit --set-default --region eu-west-1
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

LAMBDA_PIP = Path(__file__).resolve().parent / "lambda_pip"


def build_environment(base: Mapping[str, str], python: str) -> dict[str, str]:
    """``base`` with ``lambda_pip/`` and then ``python``'s own bin/ first on PATH."""
    path = os.pathsep.join([str(LAMBDA_PIP), str(Path(python).parent), base.get("PATH", "")])
    environment = {**base, "PATH": path, "LAMBDA_BUILD_PYTHON": python}
    environment.pop("PYTHONPATH", None)
    return environment


def submit(arguments: Sequence[str], project: Path, base: Mapping[str, str]) -> int:
    """``cfn submit`` (the one next to this interpreter) in ``project``; its exit status."""
    cfn = Path(sys.executable).parent / "cfn"
    environment = build_environment(base, sys.executable)
    return subprocess.run(  # noqa: S603
        [str(cfn), "submit", *arguments], cwd=project, env=environment, check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(submit(sys.argv[1:], Path.cwd(), os.environ))
