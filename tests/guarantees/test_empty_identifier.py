"""A READ or DELETE whose model names the version by an empty ``ImageVersionArn`` (CloudFormation
never sends one; a hand-made event or a damaged stack might) is FAILED NotFound, and its event
carries no model with an empty identifier: the contract asks every model an event carries to
include the primary identifier, and ``""`` names no version. Found by the adversarial review of the
entrypoint's casting: the FAILED event carried ``{"ImageVersionArn": ""}``."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_emulator.control import catch_up
from tests.handlers.conftest import listed_versions, props

from .timeline import Timeline


@pytest.mark.parametrize("action", ["READ", "DELETE", "UPDATE"])
def test_a_request_naming_the_version_by_an_empty_arn_is_not_found_and_names_nothing(
    action: str, image: str, sm: Any, timeline: Timeline
) -> None:
    created = timeline.driver().run("CREATE", props())
    assert created.status == "SUCCESS", created.final
    assert created.model is not None
    empty = {**created.model, "ImageVersionArn": ""}
    if action == "UPDATE":
        out = timeline.driver().run("UPDATE", {**empty, "Horovod": True}, previous=empty)
    else:
        out = timeline.driver().run(action, empty)
    assert (out.status, out.error_code) == ("FAILED", "NotFound"), out.final
    model = out.final.get("resourceModel")
    assert model is None or model.get("ImageVersionArn"), out.final
    catch_up()  # (the check must see the version under read_after_write's lag variants)
    assert [v["Version"] for v in listed_versions(sm, image)] == [1]  # nothing touched
