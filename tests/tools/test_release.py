"""Release hygiene: one handler version, stated alike by the package, the release guide
(guide/releasing.md) and the changelog, and carried by every SageMaker call the handler makes."""

import re
from pathlib import Path

import pytest

from community_sagemaker_imageversion import __version__, clients
from community_sagemaker_imageversion.clients import CallerSession, sagemaker_client

ROOT = Path(__file__).resolve().parents[2]
RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


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
    assert "Copyright 2026 The Community::SageMaker::ImageVersion contributors" in licence
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
