"""`make namespace NAME=Acme::SageMaker::ImageVersion`: the project under another type name.

The type name fixes the names the CLI derives from it: the package folder
(``acme_sagemaker_imageversion``), the schema file it looks for
(``acme-sagemaker-imageversion.json``, a link to ``sagemaker-imageversion.json``), and the type
name itself wherever it is written. This rewrites every form of the old name in every file git
tracks, renames the package folder and the link, and leaves generating (``make generate``) and
checking (``make check``) to the user.

Two files keep what they say of the past: LICENSE (its copyright line names who holds the
copyright, which a new name does not change) and CHANGELOG.md's release sections (what was
released, under the name it had). CHANGELOG.md's introduction and Unreleased section are
current, and rewritten.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from make_targets import changelog

TYPE_NAME = re.compile(r"[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}")


@dataclass(frozen=True)
class Names:
    """The forms a type name takes in the project's files."""

    type_name: str

    @property
    def package(self) -> str:
        return self.type_name.replace("::", "_").lower()

    @property
    def kebab(self) -> str:
        return self.type_name.replace("::", "-").lower()

    @property
    def title_kebab(self) -> str:
        return self.type_name.replace("::", "-")

    def forms(self) -> tuple[str, ...]:
        return (self.type_name, self.package, self.kebab, self.title_kebab)


def renamed(text: str, old: Names, new: Names) -> str:
    """``text`` with every form of the old name replaced by the same form of the new one."""
    for before, after in zip(old.forms(), new.forms(), strict=True):
        text = text.replace(before, after)
    return text


KEPT = (Path("LICENSE"),)


def renamed_file(name: Path, text: str, old: Names, new: Names) -> str:
    """The text of tracked file ``name`` under the new name (see the module's docstring)."""
    if name in KEPT:
        return text
    if name == changelog.CHANGELOG:
        history = changelog.released_start(text)
        return renamed(text[:history], old, new) + text[history:]
    return renamed(text, old, new)


def apply(root: Path, type_name: str) -> list[Path]:
    """Rename the project in ``root`` to ``type_name``; the files rewritten."""
    if not TYPE_NAME.fullmatch(type_name):
        raise ValueError(f"{type_name!r} is not a type name of the form Org::Service::Resource")
    config = json.loads((root / ".rpdk-config").read_text())
    old, new = Names(config["typeName"]), Names(type_name)
    listed = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607
        cwd=root,
        capture_output=True,
        check=True,
    )
    changed = []
    for name in filter(None, listed.stdout.decode().split("\0")):
        path = root / name
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if (rewritten := renamed_file(Path(name), text, old, new)) != text:
            path.write_text(rewritten, encoding="utf-8")
            changed.append(path)
    (root / "src" / old.package).rename(root / "src" / new.package)
    link = root / f"{old.kebab}.json"
    target = link.readlink()
    link.unlink()
    (root / f"{new.kebab}.json").symlink_to(target)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m make_targets.namespace Org::Service::Resource", file=sys.stderr)
        return 2
    try:
        changed = apply(Path.cwd(), argv[0])
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"{len(changed)} files rewritten; now run `make generate`, commit, and `make check test`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
