"""The machine a measurement ran on, in one line, for the reports."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path


def _field(path: str, name: str) -> str | None:
    """The value of ``name:`` in a /proc file, when the file exists and has it."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith(name)), None)


def describe(packages: Iterable[str] = ()) -> str:
    """CPU, cores, memory, OS and Python, then the installed version of each of ``packages``."""
    cpu = _field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    memory_kb = int((_field("/proc/meminfo", "MemTotal") or "0 kB").split()[0])
    line = (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}"
    )
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in packages)
    return f"{line}; {versions}" if versions else line
