"""Size (reports/performance.md, section 5): the registration zip, and what importing the
handler costs a fresh process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from make_targets.packaging import build_package

# Run in fresh processes: timed; under tracemalloc (which slows imports); and "own", after the
# runtime library is imported, for what the handler package adds to it.
IMPORT_PROGRAM = """
import json, sys, time, tracemalloc
mode = sys.argv[1]
if mode == "own":
    import cloudformation_cli_python_lib.resource
before = set(sys.modules)
if mode == "traced":
    tracemalloc.start()
started = time.perf_counter()
import community_sagemaker_imageversion.handlers
elapsed = time.perf_counter() - started
print(json.dumps({
    "seconds": elapsed,
    "modules": len(set(sys.modules) - before),
    "peak_bytes": tracemalloc.get_traced_memory()[1] if mode == "traced" else 0,
    # VmRSS, not ru_maxrss: a child forked from a large parent inherits the parent's peak.
    "rss_kb": int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]),
}))
"""


def _import_footprint(root: Path, mode: str) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", IMPORT_PROGRAM, mode],
        env={"PYTHONPATH": str(root / "src"), "PATH": ""},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    footprint: dict[str, float] = json.loads(output)
    return footprint


@dataclass(frozen=True)
class SizeResult:
    zip_bytes: int
    bundle_bytes: int
    bundle_files: int
    unpacked_bytes: int
    import_seconds: float
    import_modules: int
    import_peak_bytes: int
    rss_kb: int
    own_seconds: float
    own_modules: int


def measure(root: Path) -> SizeResult:
    with tempfile.TemporaryDirectory() as workdir:
        package = build_package(root, Path(workdir))
        outer = zipfile.ZipFile(package)
        bundle = outer.read("ResourceProvider.zip")
        inner = zipfile.ZipFile(io.BytesIO(bundle))
        unpacked = sum(info.file_size for info in inner.infolist())
        zip_bytes, files = package.stat().st_size, len(inner.infolist())
    timed, traced = _import_footprint(root, "timed"), _import_footprint(root, "traced")
    own = _import_footprint(root, "own")
    return SizeResult(
        zip_bytes,
        len(bundle),
        files,
        unpacked,
        timed["seconds"],
        int(timed["modules"]),
        int(traced["peak_bytes"]),
        int(timed["rss_kb"]),
        own["seconds"],
        int(own["modules"]),
    )
