"""The `pip` that `cfn submit` runs to fill build/, aimed at the Lambda and trimmed to what it runs.

cloudformation-cli-python-plugin builds the handler bundle with a bare
``pip install --requirement requirements.txt --target build`` (the first ``pip`` on PATH), then
zips build/ with the handler package. It has no build command or post-step of its own, so
``make_targets.submit`` puts ``lambda_pip/`` first on PATH and its ``pip`` runs this module:

- the install is pinned to the Lambda's interpreter and platform (the runtime in .rpdk-config,
  CPython on manylinux2014 x86_64, wheels only), whatever Python runs pip, so a compiled wheel
  (charset_normalizer's) is the one the Lambda can load;
- then build/ loses what the Lambda never runs: console scripts (their shebang names the build
  machine's Python), ``*.dist-info`` folders, setuptools (which the runtime library declares but
  never imports), botocore's data for every service but those the package calls, and boto3's
  resource models (the package makes clients only).

Every other pip command (``pip --version``, ...) passes through unchanged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

# What Lambda runs registered handlers on: the plugin's Docker build uses the same platform
# (public.ecr.aws/sam/build-python3.x, linux/amd64). manylinux2014 is glibc 2.17, which the
# python3.11 runtime (Amazon Linux 2, glibc 2.26) loads.
PLATFORM = "manylinux2014_x86_64"

# botocore services whose data the Lambda needs: SageMaker (the handler's clients take its
# endpoint rules, paginators and waiters from botocore, its operations from botocore_data/), and
# CloudWatch Logs and CloudWatch, which the runtime library calls to ship logs and metrics.
# botocore's own files at the top of data/ (endpoints, partitions, retries, defaults) stay too.
BOTOCORE_SERVICES = frozenset({"sagemaker", "logs", "cloudwatch"})

# Top-level entries of build/ that nothing in the Lambda imports or runs.
_UNUSED_TOPS = frozenset({"bin", "setuptools", "pkg_resources", "_distutils_hack"})
_UNUSED_FILES = frozenset({"distutils-precedence.pth"})


def python_version(runtime: str) -> str:
    """``python3.11`` (the runtime of .rpdk-config) -> ``3.11``."""
    prefix = "python"
    if not runtime.startswith(prefix):
        raise ValueError(f"not a Python runtime: {runtime!r}")
    return runtime[len(prefix) :]


def pip_arguments(argv: Sequence[str], runtime: str) -> list[str]:
    """The plugin's pip arguments, with an install into ``--target`` pinned to the Lambda."""
    if not argv or argv[0] != "install" or "--target" not in argv:
        return list(argv)
    version = python_version(runtime)
    return [
        *argv,
        f"--platform={PLATFORM}",
        "--implementation=cp",
        f"--python-version={version}",
        f"--abi=cp{version.replace('.', '')}",
        "--only-binary=:all:",
    ]


def target_of(argv: Sequence[str]) -> Path | None:
    """The folder an install writes to (``--target DIR``), if it is one."""
    if argv and argv[0] == "install" and "--target" in argv:
        return Path(argv[list(argv).index("--target") + 1])
    return None


def is_unused(relative: PurePosixPath) -> bool:
    """Whether a path inside build/ is something the Lambda never runs."""
    parts = relative.parts
    if not parts:
        return False
    top = parts[0]
    if top in _UNUSED_TOPS or top in _UNUSED_FILES or top.endswith(".dist-info"):
        return True
    if parts[:2] == ("boto3", "data"):
        return True
    # botocore/data/<service>/...: its own files (endpoints.json, ...) sit beside the services.
    if parts[:2] != ("botocore", "data") or len(parts) < 3 or parts[2].endswith(".json"):
        return False
    return parts[2] not in BOTOCORE_SERVICES


def prune(build: Path) -> list[PurePosixPath]:
    """Remove from ``build`` every unused top entry, boto3's data and botocore service folder."""
    candidates = [*build.iterdir()]
    candidates += [p for p in [build / "boto3" / "data"] if p.is_dir()]
    data = build / "botocore" / "data"
    if data.is_dir():
        candidates += [p for p in data.iterdir() if p.is_dir()]
    removed = []
    for path in sorted(candidates):
        relative = PurePosixPath(path.relative_to(build).as_posix())
        if not is_unused(relative):
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(relative)
    return removed


def _runtime(project: Path) -> str:
    runtime: str = json.loads((project / ".rpdk-config").read_text())["runtime"]
    return runtime


def main(argv: Sequence[str]) -> int:
    """Run pip (this interpreter's) as the plugin asked, aimed at the Lambda; then prune."""
    arguments = pip_arguments(argv, _runtime(Path.cwd()))
    status = subprocess.run([sys.executable, "-m", "pip", *arguments], check=False).returncode  # noqa: S603
    target = target_of(argv)
    if status == 0 and target is not None:
        prune(target)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
