"""CHANGELOG.md as the release tools read it (Keep a Changelog): an introduction, then
``## Unreleased``, then one ``## X.Y.Z - YYYY-MM-DD`` section per release, newest first.

The text before the first release heading is current (what the next release will say); the
release sections are history, each as it was released.
"""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG = Path("CHANGELOG.md")
RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def released_start(text: str) -> int:
    """Where the release sections begin in ``text`` (its length when there is none)."""
    first = RELEASE_HEADING.search(text)
    return first.start() if first else len(text)


def release_section(text: str, version: str) -> str:
    """The section of release ``version``: its heading and everything up to the next ``## ``
    heading (or the end)."""
    for heading in RELEASE_HEADING.finditer(text):
        if heading.group(1) == version:
            end = text.find("\n## ", heading.end())
            return text[heading.start() : len(text) if end == -1 else end + 1]
    raise LookupError(
        f"{CHANGELOG} has no heading '## {version} - YYYY-MM-DD': turn its Unreleased section"
        " into one first"
    )
