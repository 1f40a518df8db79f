"""Figures measured by tests and scenarios, kept for `make reliability`'s report.

When ``RELIABILITY_FIGURES`` names a directory, :func:`keep` writes each set of figures there as
``<name>.json``; otherwise it does nothing, so the normal test suite writes no files.
:func:`load_all` reads them back for the report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENVIRONMENT_VARIABLE = "RELIABILITY_FIGURES"


def directory() -> Path | None:
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(value) if value else None


def keep(name: str, figures: Mapping[str, Any]) -> None:
    """Write ``figures`` as ``<name>.json`` in the figures directory, when one is set."""
    target = directory()
    if target is None:
        return
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{name}.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


def load_all(source: Path) -> dict[str, Any]:
    """Every set of figures in ``source``, by name."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(source.glob("*.json"))}
