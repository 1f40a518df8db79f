"""The README's namespace recipe, applied to a scratch copy of the project: `make check` passes."""

import os
import shutil
import subprocess
from pathlib import Path

from make_targets import changelog
from make_targets.namespace import Names, apply, renamed

ROOT = Path(__file__).resolve().parents[2]
NEW = "Acme::SageMaker::ImageVersion"


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def _copy_of_project(scratch: Path) -> Path:
    listed = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    copy = scratch / "project"
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    # Older than the environment's install stamp, so make does not reinstall the shared .venv.
    stamp = (ROOT / ".venv" / ".installed").stat().st_mtime
    for requirements in copy.glob("requirements*.txt"):
        os.utime(requirements, (stamp - 1, stamp - 1))
    for command in (
        ("git", "init", "-q"),
        ("git", "add", "-A"),
        ("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"),
    ):
        assert _run(*command, cwd=copy).returncode == 0
    return copy


def test_every_form_of_the_name_is_rewritten_and_nothing_else():
    old, new = Names("Community::SageMaker::ImageVersion"), Names(NEW)
    text = (
        "Type: Community::SageMaker::ImageVersion in community_sagemaker_imageversion/,"
        " community-sagemaker-imageversion.json, Community-SageMaker-ImageVersion; AWS::SageMaker"
    )
    assert renamed(text, old, new) == (
        "Type: Acme::SageMaker::ImageVersion in acme_sagemaker_imageversion/,"
        " acme-sagemaker-imageversion.json, Acme-SageMaker-ImageVersion; AWS::SageMaker"
    )


def _git_project(folder: Path, files: dict[str, bytes]) -> Path:
    """A git repository of ``files``, with the package folder and the schema link that
    `make namespace` renames."""
    package = folder / "src" / "community_sagemaker_imageversion"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('TYPE_NAME = "Community::SageMaker::ImageVersion"\n')
    (folder / "sagemaker-imageversion.json").write_text("{}\n")
    (folder / "community-sagemaker-imageversion.json").symlink_to("sagemaker-imageversion.json")
    (folder / ".rpdk-config").write_text('{"typeName": "Community::SageMaker::ImageVersion"}\n')
    for name, content in files.items():
        (folder / name).write_bytes(content)
    assert _run("git", "init", "-q", cwd=folder).returncode == 0
    assert _run("git", "add", "-A", cwd=folder).returncode == 0
    return folder


def test_the_licence_and_the_released_changelog_sections_are_left_as_they_are(tmp_path):
    """LICENSE names who holds the copyright, and a release section what was released under
    the name it had: a new name changes neither. The introduction and Unreleased are current."""
    licence, log = (ROOT / "LICENSE").read_bytes(), (ROOT / "CHANGELOG.md").read_bytes()
    # (a character of two bytes before the releases: the sections are found in characters)
    log = log.replace(b"## Unreleased\n", "## Unreleased\n\n- 1.098 \u00b1 0.003\n".encode(), 1)
    assert b"Community::SageMaker::ImageVersion" in licence
    text = log.decode()
    history = changelog.released_start(text)
    assert "Community::SageMaker::ImageVersion" in text[history:]
    project = _git_project(tmp_path, {"LICENSE": licence, "CHANGELOG.md": log})

    apply(project, NEW)

    assert (project / "LICENSE").read_bytes() == licence
    renamed_log = (project / "CHANGELOG.md").read_text()
    current = renamed_log[: changelog.released_start(renamed_log)]
    assert renamed_log[len(current) :] == text[history:]
    assert NEW in current
    assert "Community::SageMaker::ImageVersion" not in current
    assert (project / "src" / "acme_sagemaker_imageversion" / "__init__.py").read_text() == (
        f'TYPE_NAME = "{NEW}"\n'
    )


def test_the_readme_recipe_leaves_a_project_that_passes_make_check(tmp_path):
    copy = _copy_of_project(tmp_path)
    make = ("make", "--no-print-directory")

    renaming = _run(*make, "namespace", f"NAME={NEW}", cwd=copy)
    assert renaming.returncode == 0, renaming.stderr
    assert (copy / "src" / "acme_sagemaker_imageversion" / "handlers.py").is_file()
    assert not (copy / "src" / "community_sagemaker_imageversion").exists()
    assert (
        copy / "acme-sagemaker-imageversion.json"
    ).resolve().name == "sagemaker-imageversion.json"
    leftovers = _run(
        *("git", "grep", "-l", "-i", "-E", "community(::|_|-)sagemaker(::|_|-)imageversion"),
        *("--", ".", ":!LICENSE", ":!CHANGELOG.md"),
        cwd=copy,
    )
    assert leftovers.stdout == "", f"files still naming the old type: {leftovers.stdout}"
    assert (copy / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()

    generated = _run(*make, "generate", cwd=copy)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    _run("git", "add", "-A", cwd=copy)
    _run("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "acme", cwd=copy)

    checked = _run(*make, "check", cwd=copy)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    config = (copy / ".rpdk-config").read_text()
    assert '"typeName": "Acme::SageMaker::ImageVersion"' in config
    assert "acme_sagemaker_imageversion.handlers.resource" in config
