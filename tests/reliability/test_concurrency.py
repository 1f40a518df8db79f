"""Versions of one image created and deleted all at once, through the real entrypoint against
the emulator in server mode (`make reliability` runs the full 25; the suite a smaller stack)."""

import pytest

from reliability_suite import concurrency, figures
from sagemaker_emulator.rules import Rules

from .conftest import FULL

pytestmark = [pytest.mark.server, pytest.mark.requirement("concurrent-versions")]

SETTINGS = (
    concurrency.Settings(versions=25, transition_seconds=2.0)
    if FULL
    else concurrency.Settings(versions=6, transition_seconds=1.0)
)


@pytest.mark.real_time  # threads whose calls must meet in time
def test_versions_created_and_deleted_at_once_are_each_made_once_and_all_removed():
    result = concurrency.run(SETTINGS)
    figures.keep("concurrency", result)
    assert result["problems"] == []
    assert result["versions_created"] == list(range(1, SETTINGS.versions + 1))
    assert result["create"]["outcomes"] == {"SUCCESS": SETTINGS.versions}
    assert result["delete"]["outcomes"] == {"SUCCESS": SETTINGS.versions}
    assert result["versions_left"] == []
    if Rules.from_environment().concurrency == "while_changing":
        # Under this variant of SageMaker's concurrency rule the image is busy for as long as a
        # version is changing: the handlers must have retried across invocations.
        assert result["create"]["resource_in_use"] > 0, "the image was never busy"
        assert result["create"]["invocations"] > SETTINGS.versions, "no create was re-invoked"
