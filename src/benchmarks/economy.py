"""API economy (reports/performance.md, section 3): SageMaker calls per action next to the
fewest the API allows, and the calls and invocations LIST needs for 1,000 versions next to a
LIST that uses SageMaker's default page size (10), as AWS's handler does."""

from __future__ import annotations

from dataclasses import dataclass

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from harness.recorder import recording

from .common import BASE, ROLE, sagemaker_in_process

# The fewest calls each action can make and still do its job, and why.
MINIMUM = {
    "create": (2, "CreateImageVersion; DescribeImageVersion until CREATED (ContainerImage)"),
    "read": (2, "DescribeImageVersion; ListAliases (Describe returns no aliases)"),
    "update": (3, "DescribeImageVersion and ListAliases to diff; UpdateImageVersion"),
    "delete": (2, "DeleteImageVersion; DescribeImageVersion until gone"),
    "list page": (1, "ListImageVersions"),
}
# Why this handler makes more calls than the minimum, where it does.
EXTRA = {
    "create": "UpdateImageVersion: a version is given its aliases once it is CREATED, so an alias"
    " never names a version that is not ready",
    "read": "DescribeImage: while the image is being deleted its versions go with it, which"
    " version calls may not say",
    "delete": "a DescribeImageVersion first: NotFound before any call, and no second delete of a"
    " version that is already DELETING",
}
LISTED_VERSIONS = 1000


@dataclass(frozen=True)
class EconomyResult:
    calls: dict[str, list[str]]
    list_calls: int
    list_invocations: int
    default_page_calls: int

    def rows(self) -> list[tuple[str, int, int, str]]:
        return [
            (action, len(self.calls[action]), MINIMUM[action][0], ", ".join(self.calls[action]))
            for action in MINIMUM
        ]

    @staticmethod
    def reason(action: str) -> str:
        why_minimum = MINIMUM[action][1]
        return f"{why_minimum}; more: {EXTRA[action]}" if action in EXTRA else why_minimum


def measure() -> EconomyResult:
    with sagemaker_in_process() as sagemaker:
        sagemaker.create_image(ImageName="EconomyImage", RoleArn=ROLE)
        driver = Driver(resource)
        properties = {"ImageName": "EconomyImage", "BaseImage": BASE, "Aliases": ["a"]}
        calls: dict[str, list[str]] = {}
        with recording() as recorder:
            model = driver.run("CREATE", properties).model or {}
            calls["create"] = recorder.operations()
            recorder.clear()
            driver.run("READ", model)
            calls["read"] = recorder.operations()
            recorder.clear()
            desired = {**properties, "ImageVersionArn": model["ImageVersionArn"]}
            desired.update(Aliases=["b"], JobType="TRAINING")
            updated = driver.run("UPDATE", desired, previous=model).model
            calls["update"] = recorder.operations()
            recorder.clear()
            driver.run("DELETE", updated)
            calls["delete"] = recorder.operations()
            recorder.clear()
            sagemaker.create_image(ImageName="ManyVersions", RoleArn=ROLE)
            for n in range(LISTED_VERSIONS):
                sagemaker.create_image_version(
                    ImageName="ManyVersions", BaseImage=BASE, ClientToken=f"economy-{n}"
                )
            recorder.clear()
            listed, invocations = driver.list_all({"ImageName": "ManyVersions"})
            list_calls = recorder.operations().count("ListImageVersions")
            calls["list page"] = recorder.operations()[: list_calls // invocations]
            if len(listed) != LISTED_VERSIONS:
                raise RuntimeError(f"LIST returned {len(listed)} versions")
        default_page_calls = _pages_at_default_size(sagemaker, "ManyVersions")
    return EconomyResult(calls, list_calls, invocations, default_page_calls)


def _pages_at_default_size(sagemaker: object, image: str) -> int:
    pages, token = 0, None
    while True:
        params = {"ImageName": image, **({"NextToken": token} if token else {})}
        page = sagemaker.list_image_versions(**params)  # type: ignore[attr-defined]
        pages += 1
        token = page.get("NextToken")
        if not token:
            return pages
