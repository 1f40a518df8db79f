"""A walk through List pages that a transient failure interrupts goes on without skipping:
scenarios through the real Lambda entrypoint where, had the pages read before the backoff been
kept, a page read fresh after it from a NextToken issued before another actor's change would
skip an item (adversarial review of the kept pages, ``sagemaker.SageMaker._page_of``).

Only empty pages at the start of a walk are kept for the retry (their tokens hold no position
among the items); a page with items is read again, so consecutive pages with items are read
one right after the other.
"""

from __future__ import annotations

import contextvars
from typing import Any

import pytest
from botocore.client import BaseClient

from harness.recorder import BOTOCORE_CLIENT
from sagemaker_emulator.control import catch_up
from tests.botocore_errors import client_error
from tests.guarantees.timeline import Timeline
from tests.handlers.conftest import IMAGE, ROLE, listed_versions, props

OTHER_IMAGES = 100
"""Images older than ``IMAGE``: with it, one more than a ListImages page (MaxResults 100)."""


class ThrottledSecondPage:
    """The handler's first ListImages call with a NextToken (the second page) is throttled; while
    the handler backs off, another team deletes one of its own (older) images."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, sm: Any, deleted: str) -> None:
        self.original = BOTOCORE_CLIENT._make_api_call
        self.sm, self.deleted = sm, deleted
        self.throttled = 0
        watcher = self

        def make_api_call(client: Any, operation: str, params: Any) -> Any:
            return watcher._call(client, operation, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)

    def _call(self, client: Any, operation: str, params: Any) -> Any:
        if operation == "ListImages" and params.get("NextToken") and not self.throttled:
            self.throttled += 1
            # the other team's DeleteImage, outside the handler's invocation
            contextvars.Context().run(self.sm.delete_image, ImageName=self.deleted)
            raise client_error("ThrottlingException", operation, 400, message="Rate exceeded")
        return self.original(client, operation, params)


def _account_with_101_images(sm: Any, timeline: Timeline) -> None:
    """100 images of other teams, then ``IMAGE``, the newest (created a second later)."""
    for k in range(OTHER_IMAGES):
        sm.create_image(ImageName=f"other-team-{k:03d}", RoleArn=ROLE)
    timeline.time.sleep(1.0)
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)


def test_a_delete_naming_the_image_in_lower_case_never_orphans_the_version_after_a_throttle(
    sm, timeline, emulator_controls, monkeypatch
):
    """A stack whose template names the image ``trainingimage`` (copied from the lower-cased
    ARN, as README "Image names in another case" allows) for the image ``TrainingImage``, in an
    account with 101 images, ``TrainingImage`` the newest. SageMaker's NextToken counts
    positions (``pagination=offset``, a variant the handler must hold under) and another team
    deletes an image without versions (``delete_image=immediate``).

    The DELETE looks for the image's real name with ListImages: page 1 (the 100 oldest images)
    is read, page 2 is throttled; during the backoff the other team deletes one of its older
    images. Had the retry kept page 1 (as read before the deletion) and read page 2 with the
    token issued before it (position 100 of the list as it is now, which ``TrainingImage``, now
    at position 99, no longer reaches), the look-up would find no image of that name in any
    case and the DELETE would answer NotFound, which CloudFormation takes as deleted: the
    version would stay, owned by no stack (an orphan). The retry reads page 1 again (100
    images now, ``TrainingImage`` among them) and the DELETE deletes the version. Promises: never
    orphan a version; "Not found means gone"; "Image names in another case"."""
    emulator_controls.rules.pagination = "offset"
    emulator_controls.rules.delete_image = "immediate"
    _account_with_101_images(sm, timeline)
    created = timeline.driver().run("CREATE", props(ImageName="trainingimage"))
    assert created.status == "SUCCESS", created.final
    model = created.model or {}
    assert model.get("ImageName") == "trainingimage"
    catch_up()  # the check below must see the version under read_after_write's lag variants
    assert [v["Version"] for v in listed_versions(sm)] == [1]

    watcher = ThrottledSecondPage(monkeypatch, sm, deleted="other-team-000")
    deleted = timeline.driver().run("DELETE", model)
    assert watcher.throttled == 1, "page 2 was never read: nothing was tested"
    left = [v["Version"] for v in listed_versions(sm)]
    assert left == [], f"version 1 orphaned: {left}; the DELETE answered {deleted.final}"
    assert deleted.status == "SUCCESS", deleted.final


def test_a_read_naming_the_image_in_lower_case_is_not_not_found_after_a_throttle(
    sm, timeline, emulator_controls, monkeypatch
):
    """The same account, a READ of the version by a model naming the image in lower case (an
    import from the ARN, or drift detection of the stack above): ListImages page 2 throttled,
    an older image deleted during the backoff. The READ answers NotFound for a version that is
    there (drift detection would show it deleted) had page 1 been kept; read again, it holds
    the image, and the READ finds the version."""
    emulator_controls.rules.pagination = "offset"
    emulator_controls.rules.delete_image = "immediate"
    _account_with_101_images(sm, timeline)
    created = timeline.driver().run("CREATE", props(ImageName="trainingimage"))
    assert created.status == "SUCCESS", created.final

    watcher = ThrottledSecondPage(monkeypatch, sm, deleted="other-team-000")
    read = timeline.driver().run("READ", created.model)
    assert watcher.throttled == 1, "page 2 was never read: nothing was tested"
    catch_up()
    assert [v["Version"] for v in listed_versions(sm)] == [1]
    assert read.status == "SUCCESS", read.final
    assert (read.model or {}).get("ImageVersionArn") == (created.model or {}).get("ImageVersionArn")
