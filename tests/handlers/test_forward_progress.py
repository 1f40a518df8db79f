"""Forward progress, through the entrypoint: an invocation that starts with less time than the
safety margin, none, or a negative amount, still makes progress, so every operation ends."""

from dataclasses import dataclass

import pytest

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from offline_aws.defaults import FUNCTION_ARN
from sagemaker_emulator.control import catch_up

from .conftest import BASE, IMAGE, ROLE, listed_versions, props


@dataclass
class NoTimeLeft:
    """A Lambda context that says ``remaining`` seconds are left, whenever it is asked."""

    remaining: float
    invoked_function_arn: str = FUNCTION_ARN

    def get_remaining_time_in_millis(self) -> int:
        return int(self.remaining * 1000)


class OutOfTimeDriver(Driver):
    def __init__(self, remaining: float) -> None:
        super().__init__(resource, max_invocations=50)
        self.remaining = remaining

    def invoke(self, event):
        return dict(self.handler(event, NoTimeLeft(self.remaining)))


@pytest.mark.parametrize("remaining", [4.0, 0.5, 0.0, -3.0])
def test_an_invocation_with_no_time_left_still_makes_progress(image, sm, remaining):
    out_of_time = OutOfTimeDriver(remaining)
    created = out_of_time.run("CREATE", props(Aliases=["a"], JobType="TRAINING"))
    assert created.status == "SUCCESS", created.final
    model = created.model
    assert model is not None
    assert out_of_time.run("READ", model).status == "SUCCESS"
    desired = {**model, "Aliases": ["b"], "JobType": "INFERENCE"}
    updated = out_of_time.run("UPDATE", desired, previous=model)
    assert updated.status == "SUCCESS", updated.final

    for n in range(3):
        sm.create_image(ImageName=f"Other{n}", RoleArn=ROLE)
        for k in range(60):
            sm.create_image_version(ImageName=f"Other{n}", BaseImage=BASE, ClientToken=f"{n}-{k}")
    catch_up()
    everything, _ = out_of_time.list_all(None)
    assert len(everything) == 1 + 3 * 60
    assert len({m["ImageVersionArn"] for m in everything}) == len(everything)
    mine, _ = out_of_time.list_all({"ImageName": IMAGE})
    assert [m["ImageVersionArn"] for m in mine] == [model["ImageVersionArn"]]

    deleted = out_of_time.run("DELETE", updated.model)
    assert deleted.status == "SUCCESS", deleted.final
    assert listed_versions(sm) == []
