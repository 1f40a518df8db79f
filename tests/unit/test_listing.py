"""The LIST cursor and the walk across every image, with fake SageMaker pages."""

import pytest
from cloudformation_cli_python_lib.exceptions import InvalidRequest

from community_sagemaker_imageversion.listing import (
    CALLS_PER_PAGE,
    PAGE_SIZE,
    Cursor,
    Walk,
    resume_index,
)


@pytest.mark.parametrize(
    "cursor", [Cursor(), Cursor("page-2", "img-7", None), Cursor(None, "a", "tok/with+chars==")]
)
def test_cursor_round_trips(cursor):
    assert Cursor.decode(cursor.encode()) == cursor


def test_no_token_is_the_start():
    assert Cursor.decode(None) == Cursor()
    assert Cursor.decode("") == Cursor()


@pytest.mark.parametrize(
    "token",
    [
        "not base64!",
        "e30=",
        "bnVsbA==",
        "W10=",
        "eyJpIjpudWxsfQ==",
        "eyJpIjoxLCJuIjpudWxsLCJ2IjpudWxsfQ==",
    ],
)
def test_foreign_tokens_are_invalid_requests(token):
    with pytest.raises(InvalidRequest, match="nextToken"):
        Cursor.decode(token)


@pytest.mark.parametrize(
    ("names", "image", "index"),
    [
        (["a", "b", "c"], None, 0),
        (["a", "b", "c"], "b", 1),
        (["a", "c", "d"], "b", 1),
        (["a", "b"], "z", 2),
    ],
)
def test_resume_index_finds_the_image_or_where_it_was(names, image, index):
    assert resume_index(names, image) == index


class FakeSageMaker:
    """Images (name -> version count) served in pages, as ListImages/ListImageVersions do."""

    def __init__(self, images, images_per_page=3, versions_per_page=PAGE_SIZE):
        self.images = dict(images)
        self.images_per_page = images_per_page
        self.versions_per_page = versions_per_page
        self.calls = 0

    def images_page(self, token):
        self.calls += 1
        names = sorted(self.images)
        start = (
            0 if token is None else next((i for i, n in enumerate(names) if n > token), len(names))
        )
        page = names[start : start + self.images_per_page]
        more = start + self.images_per_page < len(names)
        return page, (page[-1] if more and page else None)

    def versions_page(self, name, token):
        self.calls += 1
        if name not in self.images:
            return None
        start = int(token or 0)
        end = min(start + self.versions_per_page, self.images[name])
        items = list(range(start + 1, end + 1))
        return items, (str(end) if end < self.images[name] else None)


def walk_all(fake, budget=lambda calls: calls < CALLS_PER_PAGE, between_pages=None):
    walk = Walk(fake.images_page, fake.versions_page, budget)
    found, cursor, pages = [], Cursor(), 0
    while True:
        page, cursor = walk.page(cursor)
        pages += 1
        found += page
        if cursor is None:
            return found, pages
        cursor = Cursor.decode(cursor.encode())
        if between_pages:
            between_pages(pages)
        assert pages < 1000


def test_every_version_of_every_image_exactly_once():
    images = {f"img{i:02d}": (i * 7) % 130 for i in range(20)}
    found, pages = walk_all(FakeSageMaker(images))
    expected = [(name, v) for name in sorted(images) for v in range(1, images[name] + 1)]
    assert found == expected
    assert pages >= len(expected) // (2 * PAGE_SIZE)


def test_pages_stop_at_the_page_size_and_the_call_budget():
    fake = FakeSageMaker({f"img{i:03d}": 0 for i in range(200)})
    walk = Walk(fake.images_page, fake.versions_page, lambda calls: calls < CALLS_PER_PAGE)
    found, cursor = walk.page(Cursor())
    assert found == []
    assert cursor is not None
    assert fake.calls <= CALLS_PER_PAGE
    full = FakeSageMaker({"big": 450})
    found, cursor = Walk(full.images_page, full.versions_page, lambda c: True).page(Cursor())
    assert len(found) == PAGE_SIZE
    assert cursor == Cursor(None, "big", "100")


def test_images_deleted_or_added_between_pages_hide_nothing_else():
    images = {f"img{i:02d}": 1 for i in range(30)}
    fake = FakeSageMaker(images, images_per_page=100)
    seen_before_change = set()

    def change(pages):
        if pages == 1:
            seen_before_change.update(n for n in sorted(images) if n <= "img05")
            del fake.images["img00"]
            fake.images["img000-new"] = 1

    found, _ = walk_all(fake, budget=lambda calls: calls < 8, between_pages=change)
    names = [name for name, _ in found]
    assert len(names) == len(set(names)), "an image was listed twice"
    assert {f"img{i:02d}" for i in range(1, 30)} <= set(names), "an image was skipped"


def test_the_image_being_walked_is_deleted_between_pages():
    fake = FakeSageMaker({"a": 1, "b": 250, "c": 2})
    walk = Walk(fake.images_page, fake.versions_page, lambda calls: True)
    first, cursor = walk.page(Cursor())
    assert cursor is not None
    assert cursor.image == "b"
    del fake.images["b"]
    rest, cursor = walk.page(Cursor.decode(cursor.encode()))
    assert cursor is None
    assert [name for name, _ in first + rest].count("c") == 2
