"""LIST through the real Lambda entrypoint (nextToken round trip) and import from an ARN alone."""

from datetime import datetime

import pytest

from community_sagemaker_imageversion import sagemaker as sagemaker_module
from community_sagemaker_imageversion.listing import CALLS_PER_PAGE, Cursor
from harness.events import handler_event
from offline_aws.defaults import version_arn
from sagemaker_emulator.clock import Clock, clock, use_clock
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.rules import VARIANTS

from .conftest import BASE, IMAGE, ROLE, empty_pages_first


def make_versions(sm, image_name, count):
    """``count`` versions made out of band, seen by every later call."""
    for n in range(count):
        sm.create_image_version(
            ImageName=image_name, BaseImage=BASE, ClientToken=f"t-{image_name}-{n}"
        )
    catch_up()


def test_250_versions_are_listed_99_per_page_one_call_each(image, sm, driver, recorder):
    make_versions(sm, IMAGE, 250)
    recorder.clear()
    pages = []
    token = None
    while True:
        response = driver.invoke(handler_event("LIST", {"ImageName": IMAGE}, next_token=token))
        assert response["status"] == "SUCCESS"
        pages.append(response["resourceModels"])
        token = response.get("nextToken")
        if token is None:
            break
    assert [len(p) for p in pages] == [99, 99, 52]
    versions = [m["Version"] for page in pages for m in page]
    assert versions == list(range(1, 251))
    assert all(
        m["ImageVersionArn"].endswith(f"/trainingimage/{m['Version']}") for p in pages for m in p
    )
    assert all(m["ImageName"] == IMAGE for page in pages for m in page)
    lists = recorder.of("ListImageVersions")
    queries = [call for call in lists if "NextToken" not in call]
    assert len(queries) == 3
    # one call for each page's versions, after the empty pages SageMaker may answer first
    assert len(lists) == sum(1 + empty_pages_first(query) for query in queries)
    assert all(call["MaxResults"] == 100 for call in lists)


def test_list_without_image_name_lists_every_version_of_every_image(sm, driver):
    counts = {"alpha": 3, "Beta": 0, "gamma": 120, "delta": 1}
    for name, count in counts.items():
        sm.create_image(ImageName=name, RoleArn=ROLE)
        make_versions(sm, name, count)
    models, invocations = driver.list_all(None)
    listed = sorted((m["ImageName"], m["Version"]) for m in models)
    expected = sorted((name, v) for name, count in counts.items() for v in range(1, count + 1))
    assert listed == expected
    assert invocations == 2
    models_empty_filter, _ = driver.list_all({})
    assert len(models_empty_filter) == len(expected)


def test_list_of_a_missing_image_is_empty(driver):
    models, invocations = driver.list_all({"ImageName": "nothing-here"})
    assert (models, invocations) == ([], 1)


def test_list_with_an_invalid_image_name_is_an_invalid_request(driver):
    response = driver.invoke(handler_event("LIST", {"ImageName": "-bad-"}))
    assert response["errorCode"] == "InvalidRequest"
    assert "ImageName" in response["message"]


def test_a_foreign_next_token_is_an_invalid_request(driver):
    response = driver.invoke(handler_event("LIST", None, next_token="not-ours"))
    assert response["errorCode"] == "InvalidRequest"
    assert "nextToken" in response["message"]


@pytest.mark.parametrize("image_name", ["CapitalisedImage", "lowercase-image"])
def test_import_from_the_arn_alone(sm, driver, image_name, recorder):
    sm.create_image(ImageName=image_name, RoleArn=ROLE)
    make_versions(sm, image_name, 2)
    sm.update_image_version(
        ImageName=image_name, Version=2, AliasesToAdd=["prod"], JobType="INFERENCE"
    )
    arn = sm.describe_image_version(ImageName=image_name, Version=2)["ImageVersionArn"]
    assert f"/{image_name.lower()}/2" in arn
    read = driver.run("READ", {"ImageVersionArn": arn})
    assert read.status == "SUCCESS", read.final
    assert read.model["ImageName"] == image_name
    assert (read.model["Version"], read.model["Aliases"], read.model["JobType"]) == (
        2,
        ["prod"],
        "INFERENCE",
    )
    assert read.model["BaseImage"] == BASE
    described = recorder.of("DescribeImageVersion")
    assert all(call["Version"] == 2 for call in described)


def test_import_of_a_missing_version_is_not_found(sm, driver, instant_clock):
    sm.create_image(ImageName="CapitalisedImage", RoleArn=ROLE)
    arn = version_arn("capitalisedimage", 7)
    assert driver.run("READ", {"ImageVersionArn": arn}).error_code == "NotFound"


def test_list_without_image_name_pages_through_many_images(sm, driver, recorder):
    for n in range(130):
        sm.create_image(ImageName=f"img{n:03d}", RoleArn=ROLE)
    for name in ("img000", "img064", "img129"):
        make_versions(sm, name, 2)
    recorder.clear()
    models, invocations = driver.list_all(None)
    assert sorted((m["ImageName"], m["Version"]) for m in models) == [
        (name, v) for name in ("img000", "img064", "img129") for v in (1, 2)
    ]
    assert invocations > 1, "the call budget per page was never reached"
    assert len(recorder.of("ListImages")) >= 2
    assert all(call["MaxResults"] == 100 for call in recorder.of("ListImageVersions"))


def list_pages(driver, properties, between_pages):
    """Every model LIST returns, page after page, with ``between_pages(n)`` run after page n."""
    models, token, pages = [], None, 0
    while True:
        response = driver.invoke(handler_event("LIST", properties, next_token=token))
        assert response["status"] == "SUCCESS", response
        models += response["resourceModels"]
        pages += 1
        token = response.get("nextToken")
        if token is None:
            return models, pages
        between_pages(pages)
        assert pages < 100


@pytest.fixture(params=VARIANTS["pagination"])
def pagination(request, emulator_controls):
    """Each meaning SageMaker's NextToken may have once items come and go between pages."""
    emulator_controls.rules.pagination = request.param
    return request.param


@pytest.mark.no_cover
def test_images_created_or_deleted_between_pages_neither_repeat_nor_hide_a_version(
    sm, driver, pagination
):
    for name in ("m-alpha", "m-beta", "m-gamma", "m-delta"):
        sm.create_image(ImageName=name, RoleArn=ROLE)
        make_versions(sm, name, 120)
    before = {
        (name, v) for name in ("m-alpha", "m-beta", "m-gamma", "m-delta") for v in range(1, 121)
    }

    def change(pages):
        if pages == 1:  # 150 images that sort before every other by name: ListImages' page 1
            for n in range(150):
                sm.create_image(ImageName=f"a{n:03d}", RoleArn=ROLE)
        if pages == 2:
            sm.delete_image(ImageName="m-gamma")
            before.difference_update({v for v in before if v[0] == "m-gamma"})

    models, pages = list_pages(driver, None, change)
    listed = [(m["ImageName"], m["Version"]) for m in models]
    assert pages > 3, "the walk ended before the changes could matter"
    assert len(listed) == len(set(listed)), "a version was listed twice"
    assert before <= set(listed), "a version that existed throughout was not listed"


@pytest.mark.no_cover
def test_versions_deleted_between_pages_of_one_image_hide_no_other(image, sm, driver, pagination):
    make_versions(sm, IMAGE, 300)
    kept = set(range(1, 301))

    def change(pages):
        for version in range(pages * 99 - 5, pages * 99 + 5):  # around the page boundary
            if version in kept:
                sm.delete_image_version(ImageName=IMAGE, Version=version)
                kept.discard(version)

    models, _ = list_pages(driver, {"ImageName": IMAGE}, change)
    listed = [m["Version"] for m in models]
    assert len(listed) == len(set(listed))
    assert kept <= set(listed)


def test_list_with_an_image_name_in_another_case_lists_that_image(image, sm, driver):
    make_versions(sm, IMAGE, 3)
    models, _ = driver.list_all({"ImageName": IMAGE.lower()})
    assert [m["Version"] for m in models] == [1, 2, 3]
    assert {m["ImageName"] for m in models} == {IMAGE}


class _StoppedWall:
    """The emulator's clock with its wall clock stopped: images made meanwhile are created in
    one millisecond."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._at = clock.utcnow()

    def monotonic(self) -> float:
        return self._clock.monotonic()

    def utcnow(self) -> datetime:
        return self._at

    def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)


def test_list_goes_on_past_images_listed_on_earlier_pages_behind_empty_pages(
    sm, driver, emulator_controls, monkeypatch
):
    """Images created in one millisecond, more than a page of ListImages (pages of 2 here, the
    handler's MAX_RESULTS, to keep the test quick: the same as 110 images in pages of 100), and
    SageMaker answering 24 empty pages before the items of every List call: a LIST page that
    goes on from the cursor's values spends its 25 calls on the empty pages and a page of images
    listed before. Such a page must go on to the images not listed yet, or every later page does
    the same and LIST never ends."""
    monkeypatch.setattr(sagemaker_module, "MAX_RESULTS", 2)
    previous = use_clock(_StoppedWall(clock()))
    try:
        names = [f"same-moment-{n:03d}" for n in range(7)]
        for name in names:
            sm.create_image(ImageName=name, RoleArn=ROLE)
    finally:
        use_clock(previous)
    for name in names[::2]:
        make_versions(sm, name, 1)
    emulator_controls.rules.empty_pages = "before_items"
    emulator_controls.rules.empty_page_count = CALLS_PER_PAGE - 1
    driver.max_invocations = 400
    models, _ = driver.list_all(None)
    assert sorted((m["ImageName"], m["Version"]) for m in models) == [
        (name, 1) for name in names[::2]
    ]


@pytest.mark.parametrize(
    ("properties", "cursor"),
    [
        (None, Cursor(image=IMAGE, after_version=1)),  # a LIST by ImageName's, without it
        ({"ImageName": IMAGE}, Cursor(since=5)),  # a LIST of every image's, with an ImageName
        ({"ImageName": IMAGE}, Cursor(image="other")),  # another image's
    ],
)
def test_a_next_token_issued_for_another_list_is_an_invalid_request(
    image, sm, driver, properties, cursor
):
    make_versions(sm, IMAGE, 2)
    response = driver.invoke(handler_event("LIST", properties, next_token=cursor.encode()))
    assert (response["status"], response["errorCode"]) == ("FAILED", "InvalidRequest")
    assert "nextToken" in response["message"]
