"""Release hygiene: one handler version, stated alike by the package, the release guide
(guide/releasing.md) and the changelog, and carried by every SageMaker call the handler makes;
`make release`'s files (the package named with the version, its checksum, its notes); the
tested-with statement held to the pins."""

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from community_sagemaker_imageversion import __version__, clients
from community_sagemaker_imageversion.clients import CallerSession, sagemaker_client
from make_targets import release
from make_targets.changelog import RELEASE_HEADING, release_section

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_changelog_s_latest_release_is_the_package_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = RELEASE_HEADING.findall(changelog)
    assert releases, "no '## X.Y.Z - YYYY-MM-DD' heading"
    assert releases[0][0] == __version__
    assert changelog.index("## Unreleased") < changelog.index(f"## {__version__} - ")


def test_the_changelog_s_releases_go_from_newest_to_oldest():
    releases = RELEASE_HEADING.findall((ROOT / "CHANGELOG.md").read_text())
    numbers = [tuple(int(part) for part in number.split(".")) for number, _ in releases]
    dates = [date for _, date in releases]
    assert numbers == sorted(numbers, reverse=True)
    assert len(set(numbers)) == len(numbers)
    assert dates == sorted(dates, reverse=True)


def test_the_release_guide_states_the_package_version():
    guide = (ROOT / "guide" / "releasing.md").read_text()
    stated = re.findall(r"handler version is `(\d+\.\d+\.\d+)`", guide)
    assert stated == [__version__]


def test_the_licence_is_apache_2_with_the_contributors_copyright():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.lstrip().startswith("Apache License\n")
    assert "Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence
    # `make namespace` leaves the holder's name as it is: this test names none.
    assert re.search(r"^   Copyright 2026 The \S+ contributors$", licence, re.MULTILINE)
    assert "[yyyy]" not in licence


class _Sent(Exception):
    """Raised in place of sending a request: the test has seen it."""


def test_every_sagemaker_call_names_the_handler_version_in_its_user_agent():
    client = sagemaker_client(CallerSession("AKIAVERSION", "secret", "token"), "us-east-1")
    seen = []

    def capture(request, **_):
        seen.append(request.headers["User-Agent"].decode())
        raise _Sent

    client.meta.events.register("before-send.sagemaker", capture)
    try:
        with pytest.raises(_Sent):
            client.describe_image(ImageName="any")
    finally:
        clients.CLIENTS.clear()
    assert len(seen) == 1
    assert f"community-sagemaker-imageversion/{__version__}" in seen[0].split()


CHANGELOG = """# Changelog

Intro naming 2.0.0.

## Unreleased

- next

## 1.1.0 - 2027-02-01

### Added

- one
- two

## 1.0.0 - 2026-12-01

The first release.
"""


def test_a_release_section_runs_from_its_heading_to_the_next_release():
    assert release_section(CHANGELOG, "1.1.0") == (
        "## 1.1.0 - 2027-02-01\n\n### Added\n\n- one\n- two\n\n"
    )
    assert release_section(CHANGELOG, "1.0.0") == "## 1.0.0 - 2026-12-01\n\nThe first release.\n"
    with pytest.raises(LookupError, match="Unreleased"):
        release_section(CHANGELOG, "2.0.0")


def test_the_release_files_are_named_with_the_version():
    files = release.Release("1.2.3")
    assert files.package == "community-sagemaker-imageversion-1.2.3.zip"
    assert files.checksum == "community-sagemaker-imageversion-1.2.3.zip.sha256"
    assert files.notes == "community-sagemaker-imageversion-1.2.3.md"


def _sha256sum_check(folder, checksum):
    return subprocess.run(
        ["sha256sum", "-c", checksum], cwd=folder, capture_output=True, text=True, check=False
    )


def test_the_checksum_file_is_what_sha256sum_writes_and_checks(tmp_path):
    assert release.checksum_line(b"abc", "a.zip") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.zip\n"
    )
    (tmp_path / "a.zip").write_bytes(b"abc")
    (tmp_path / "a.zip.sha256").write_text(release.checksum_line(b"abc", "a.zip"))
    assert _sha256sum_check(tmp_path, "a.zip.sha256").returncode == 0
    (tmp_path / "a.zip").write_bytes(b"abd")
    assert _sha256sum_check(tmp_path, "a.zip.sha256").returncode != 0


def test_the_tested_with_statement_is_what_the_pins_say():
    found = release.pins(ROOT)
    assert (ROOT / release.TESTED_WITH).read_text() == release.tested_with(found), (
        "TESTED_WITH.md disagrees with the pins: write release.tested_with(release.pins(root))"
    )
    assert set(found) == {"Lambda runtime", *release.PINNED}
    assert re.fullmatch(r"python3\.\d+", found["Lambda runtime"])
    assert f"Runtime: {found['Lambda runtime']}" in (ROOT / "template.yml").read_text()
    for name in release.PINNED:
        assert re.fullmatch(r"\d+(\.\d+)+", found[name]), (name, found[name])


def test_a_version_without_a_release_heading_stops_before_anything_is_built(tmp_path):
    built = []

    def build(root, workdir):
        built.append(root)
        return workdir / "never.zip"

    with pytest.raises(LookupError, match=r"9\.9\.9"):
        release.release(ROOT, tmp_path / "out", version="9.9.9", build=build)
    assert built == []
    assert not (tmp_path / "out").exists()


def test_make_release_writes_the_package_its_checksum_and_its_notes(tmp_path):
    out = tmp_path / "release"
    files = release.release(ROOT, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [files.package, files.checksum, files.notes]
    )
    assert files.package == f"community-sagemaker-imageversion-{__version__}.zip"
    with zipfile.ZipFile(out / files.package) as package:
        assert {"schema.json", ".rpdk-config", "ResourceProvider.zip"} <= set(package.namelist())
    checked = _sha256sum_check(out, files.checksum)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    notes = (out / files.notes).read_text()
    section = release_section((ROOT / "CHANGELOG.md").read_text(), __version__)
    assert notes.startswith(section.rstrip("\n") + "\n\n### Tested with\n")
    assert "## Unreleased" not in notes
    for version in release.pins(ROOT).values():
        assert f"`{version}`" in notes


def test_the_readme_states_the_versions_it_was_tested_with_as_pinned():
    readme = " ".join((ROOT / "README.md").read_text().split())
    sentence = readme[readme.index("Tested with the ") :].split(").", 1)[0]
    for name, version in release.pins(ROOT).items():
        assert version in sentence, (name, version, sentence)
