"""The LIST cursor and the walk across every image, against a fake SageMaker whose paging may
behave in any plausible way: CreationTimeAfter inclusive or strict, NextToken an offset, and
images and versions created or deleted between LIST pages."""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from cloudformation_cli_python_lib.exceptions import InvalidRequest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from community_sagemaker_imageversion.listing import (
    CALLS_PER_PAGE,
    PAGE_SIZE,
    TOKEN_MAX,
    Cursor,
    Walk,
    just_before,
    mark,
    millis,
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor(),
        Cursor(1_700_000_000_123, ("a", "b"), "img-7", 12, 1_700_000_000_456),
        Cursor(5, (), None, 0, None),
    ],
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
        "e30=",  # {}
        "bnVsbA==",  # null
        "W10=",  # []
        # {"s": "x", "d": [], "n": null, "v": 0, "vs": null}
        "eyJzIjoieCIsImQiOltdLCJuIjpudWxsLCJ2IjowLCJ2cyI6bnVsbH0=",
        # {"s": 1, "d": [1], "n": null, "v": 0, "vs": null}
        "eyJzIjoxLCJkIjpbMV0sIm4iOm51bGwsInYiOjAsInZzIjpudWxsfQ==",
        # {"s": 1, "d": [], "n": null, "v": true, "vs": null}
        "eyJzIjoxLCJkIjpbXSwibiI6bnVsbCwidiI6dHJ1ZSwidnMiOm51bGx9",
    ],
)
def test_foreign_tokens_are_invalid_requests(token):
    with pytest.raises(InvalidRequest, match="nextToken"):
        Cursor.decode(token)


def test_just_before_admits_the_millisecond_itself_and_nothing_earlier():
    moment = EPOCH + timedelta(milliseconds=5, microseconds=300)
    floor = just_before(millis(moment))
    assert floor is not None
    assert EPOCH + timedelta(milliseconds=4) < floor < EPOCH + timedelta(milliseconds=5)
    assert just_before(None) is None


@dataclass
class FakeImage:
    created: datetime
    versions: dict[int, datetime] = field(default_factory=dict)
    last: int = 0


@dataclass
class FakeSageMaker:
    """Images with creation times (ties allowed) and numbered versions, paged the way SageMaker
    might page them: ``inclusive`` CreationTimeAfter or strict; NextToken an offset into the
    answer, so it shifts when items before it are deleted."""

    inclusive: bool = True
    images_per_page: int = 3
    versions_per_page: int = 100
    version_spacing: int = 1000
    empty_pages: int = 0
    """Pages each query answers empty, with a NextToken, before its items (as SageMaker's List
    calls with time filters have been seen to)."""
    images: dict[str, FakeImage] = field(default_factory=dict)
    now: int = 0
    calls: int = 0

    def tick(self, milliseconds=1000):
        self.now += milliseconds
        return EPOCH + timedelta(milliseconds=self.now)

    def add_image(self, name, versions=0, same_moment=False):
        created = EPOCH + timedelta(milliseconds=self.now) if same_moment else self.tick(1)
        self.images[name] = FakeImage(created)
        for _ in range(versions):
            self.add_version(name)

    def add_version(self, name):
        image = self.images[name]
        image.last += 1
        image.versions[image.last] = self.tick(self.version_spacing)

    def _admits(self, created, after):
        if after is None:
            return True
        return created >= after if self.inclusive else created > after

    def _empty(self, token):
        """(the empty page's answer, or None), and the token the items start at."""
        if token is None and self.empty_pages:
            return ([], "e1"), None
        if token is not None and token.startswith("e"):
            k = int(token[1:])
            return (([], f"e{k + 1}"), None) if k < self.empty_pages else (None, None)
        return None, token

    def images_page(self, after, token):
        self.calls += 1
        empty, token = self._empty(token)
        if empty is not None:
            return empty
        ordered = sorted(
            (image.created, name)
            for name, image in self.images.items()
            if self._admits(image.created, after)
        )
        start = int(token or 0)
        page = ordered[start : start + self.images_per_page]
        more = start + self.images_per_page < len(ordered)
        return [(name, created) for created, name in page], (
            str(start + self.images_per_page) if more else None
        )

    def versions_page(self, name, after, token):
        self.calls += 1
        if name not in self.images:
            return None
        empty, token = self._empty(token)
        if empty is not None:
            return empty
        ordered = sorted(self.images[name].versions.items())
        if after is not None:  # (_admits, without a call per version: pages of one are common)
            ordered = [
                item
                for item in ordered
                if (item[1] >= after if self.inclusive else item[1] > after)
            ]
        start = int(token or 0)
        page = ordered[start : start + self.versions_per_page]
        more = start + self.versions_per_page < len(ordered)
        return [{"Version": number, "CreationTime": created} for number, created in page], (
            str(start + self.versions_per_page) if more else None
        )

    def every_version(self):
        return {(name, number) for name, image in self.images.items() for number in image.versions}


def walk_all(
    fake, may_call=lambda calls: calls < CALLS_PER_PAGE, between_pages=None, max_pages=2000
):
    """Every (image, version) LIST returns, page after page, with ``between_pages(n)`` run after
    page n; and the number of pages (fewer than ``max_pages``, else the walk is stuck)."""
    found, cursor, pages = [], Cursor(), 0
    while True:
        walk = Walk(fake.images_page, fake.versions_page, may_call)
        page, after = walk.page(cursor)
        assert len(page) <= PAGE_SIZE
        pages += 1
        found += [(name, item["Version"]) for name, item in page]
        if after is None:
            return found, pages
        cursor = Cursor.decode(after.encode())
        if between_pages:
            between_pages(pages)
        assert pages < max_pages, "the walk makes no progress"


@pytest.mark.parametrize("inclusive", [True, False])
def test_every_version_of_every_image_exactly_once(inclusive):
    fake = FakeSageMaker(inclusive=inclusive)
    for i in range(20):
        fake.add_image(f"img{i:02d}", versions=(i * 7) % 130, same_moment=i % 4 == 1)
    found, pages = walk_all(fake)
    assert sorted(found) == sorted(fake.every_version())
    assert len(found) == len(set(found))
    assert pages >= len(found) // PAGE_SIZE


def test_pages_stop_at_the_page_size_and_the_call_budget():
    fake = FakeSageMaker()
    for i in range(200):
        fake.add_image(f"img{i:03d}")
    walk = Walk(fake.images_page, fake.versions_page, lambda calls: calls < CALLS_PER_PAGE)
    found, cursor = walk.page(Cursor())
    assert found == []
    assert cursor is not None
    assert fake.calls <= CALLS_PER_PAGE
    big = FakeSageMaker()
    big.add_image("big", versions=450)
    found, cursor = Walk(big.images_page, big.versions_page, lambda c: True).page(Cursor())
    assert [item["Version"] for _, item in found] == list(range(1, PAGE_SIZE + 1))
    assert cursor is not None
    assert (cursor.image, cursor.after_version) == ("big", PAGE_SIZE)


def test_a_page_filled_by_whole_images_stops_before_asking_for_more_images():
    fake = FakeSageMaker()
    for name in ("a", "b", "c", "d"):
        fake.add_image(name, versions=PAGE_SIZE // 3)
    found, cursor = Walk(fake.images_page, fake.versions_page, lambda c: True).page(Cursor())
    assert len(found) == PAGE_SIZE
    assert {name for name, _ in found} == {"a", "b", "c"}
    assert fake.calls == 4  # one page of three images, then one versions page of each
    assert cursor is not None
    rest, cursor = Walk(fake.images_page, fake.versions_page, lambda c: True).page(cursor)
    assert [(name, item["Version"]) for name, item in rest] == [
        ("d", n) for n in range(1, PAGE_SIZE // 3 + 1)
    ]
    assert cursor is None


def test_a_page_of_images_listed_before_goes_on_to_the_next_with_the_default_time_check():
    fake = FakeSageMaker()
    for name in ("a", "b", "c", "d"):
        fake.add_image(name, same_moment=True)
    fake.add_version("d")
    moment = millis(fake.images["a"].created)
    done = Cursor(moment, tuple(mark(name) for name in ("a", "b", "c")))
    walk = Walk(fake.images_page, fake.versions_page, lambda calls: calls < CALLS_PER_PAGE)
    found, after = walk.page(done)
    assert [(name, item["Version"]) for name, item in found] == [("d", 1)]
    assert after is None
    assert fake.calls == 3  # a page of the images listed before, a page with d, d's versions


def test_a_long_image_costs_one_versions_call_per_page():
    fake = FakeSageMaker()
    fake.add_image("big", versions=1000)
    found, pages = walk_all(fake)
    assert len(found) == 1000
    assert pages == -(-1000 // PAGE_SIZE)
    assert fake.calls <= 2 * pages + 1, "one ListImages and one ListImageVersions call per page"


@pytest.mark.parametrize("inclusive", [True, False])
def test_images_created_that_sort_first_by_name_or_deleted_before_the_cursor(inclusive):
    fake = FakeSageMaker(inclusive=inclusive, images_per_page=100)
    for i in range(30):
        fake.add_image(f"m{i:02d}", versions=40)
    existing = fake.every_version()

    def change(pages):
        if pages == 1:
            for i in range(150):
                fake.add_image(f"a{i:03d}", versions=1)
            del fake.images["m00"]
            existing.difference_update({v for v in existing if v[0] == "m00"})
        if pages == 3:
            for i in range(1, 4):
                del fake.images[f"m{i:02d}"]
                existing.difference_update({v for v in existing if v[0] == f"m{i:02d}"})

    found, _ = walk_all(fake, between_pages=change)
    assert len(found) == len(set(found)), "a version was listed twice"
    assert existing <= set(found), "a version that existed throughout was skipped"


def test_the_image_being_walked_is_deleted_between_pages():
    fake = FakeSageMaker()
    fake.add_image("a", versions=1)
    fake.add_image("b", versions=250)
    fake.add_image("c", versions=2)
    walk = Walk(fake.images_page, fake.versions_page, lambda calls: True)
    first, cursor = walk.page(Cursor())
    assert cursor is not None
    assert cursor.image == "b"
    del fake.images["b"]
    rest, cursor = Walk(fake.images_page, fake.versions_page, lambda calls: True).page(
        Cursor.decode(cursor.encode())
    )
    assert cursor is None
    assert [name for name, _ in first + rest].count("c") == 2


def test_an_image_deleted_and_created_again_is_listed_from_its_first_version():
    fake = FakeSageMaker()
    fake.add_image("x", versions=150)
    first, cursor = Walk(fake.images_page, fake.versions_page, lambda c: True).page(Cursor())
    assert len(first) == PAGE_SIZE
    assert cursor is not None
    assert cursor.image == "x"
    del fake.images["x"]
    fake.add_image("x", versions=3)
    rest, cursor = Walk(fake.images_page, fake.versions_page, lambda c: True).page(cursor)
    assert cursor is None
    assert [item["Version"] for _, item in rest] == [1, 2, 3]


def test_one_image_walk_follows_only_that_image():
    fake = FakeSageMaker()
    fake.add_image("one", versions=205)
    fake.add_image("other", versions=5)
    found = []
    cursor: Cursor | None = Cursor(image="one")
    while cursor is not None:
        page, cursor = Walk(fake.images_page, fake.versions_page, lambda c: True).versions(cursor)
        found += page
        if cursor is not None:
            fake.add_version("one")
    assert {name for name, _ in found} == {"one"}
    numbers = [item["Version"] for _, item in found]
    assert numbers == sorted(set(numbers))
    assert set(range(1, 206)) <= set(numbers)


CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["add image", "delete image", "add version", "delete version"]),
        st.integers(0, 1000),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
# one image with no versions and one added in its millisecond after the first page, an empty page
# before each query's items, 2 calls a page: each page spent its calls on the empty page and the
# image already listed, and the walk never ended
@pytest.mark.no_cover
@example(
    counts=[0],
    ties=[False] * 12,
    inclusive=False,
    images_per_page=1,
    versions_per_page=1,
    budget=2,
    changes=[[("add image", 0)]],
    spacing=1,
    empty=1,
)
@given(
    counts=st.lists(st.integers(0, 120), min_size=1, max_size=12),
    ties=st.lists(st.booleans(), min_size=12, max_size=12),
    inclusive=st.booleans(),
    images_per_page=st.integers(1, 5),
    versions_per_page=st.integers(1, 100),
    budget=st.integers(1, CALLS_PER_PAGE),
    changes=st.lists(CHANGES, max_size=8),
    spacing=st.sampled_from([0, 1, 1000]),
    empty=st.sampled_from([0, 0, 1, 3, 30]),
)
def test_any_changes_between_pages_neither_repeat_nor_skip(
    counts, ties, inclusive, images_per_page, versions_per_page, budget, changes, spacing, empty
):
    # Empty pages before the items of every query: LIST goes on along SageMaker's pages only
    # while they are empty, then from the cursor's values; versions that share one millisecond
    # (spacing 0) would give it no value to go on from.
    assume(empty == 0 or spacing > 0)
    fake = FakeSageMaker(inclusive, images_per_page, versions_per_page, spacing, empty)
    for i, count in enumerate(counts):
        fake.add_image(f"i{(i * 37) % 101:03d}", versions=count, same_moment=ties[i])
    stable = fake.every_version()
    added = 0

    def change(pages):
        nonlocal added
        for kind, pick in changes[pages - 1] if pages <= len(changes) else []:
            names = sorted(fake.images)
            if kind == "add image":
                added += 1
                fake.add_image(f"new{added:03d}", versions=pick % 5, same_moment=pick % 2 == 0)
            elif names and kind == "delete image":
                name = names[pick % len(names)]
                del fake.images[name]
                stable.difference_update({v for v in stable if v[0] == name})
            elif names and kind == "add version":
                fake.add_version(names[pick % len(names)])
            elif names:
                image = fake.images[names[pick % len(names)]]
                if image.versions:
                    number = sorted(image.versions)[pick % len(image.versions)]
                    del image.versions[number]
                    stable.discard((names[pick % len(names)], number))

    # Progress: every LIST page makes a call at least, and each query SageMaker is asked goes on
    # from the cursor's values after a page with items, so it meets its empty pages again: each
    # item (an image, a version, one added meanwhile) is reached within empty + 1 pages.
    items = sum(counts) + len(counts) + 6 * len(changes)
    found, _ = walk_all(
        fake,
        may_call=lambda calls: calls < budget,
        between_pages=change,
        max_pages=(empty + 1) * (items + 1) + 2000,
    )
    assert len(found) == len(set(found)), "a version was listed twice"
    assert stable <= set(found), "a version that existed throughout was skipped"


@pytest.mark.parametrize("budget", [1, 5, CALLS_PER_PAGE])
def test_empty_pages_before_the_items_cost_no_more_than_the_budget_and_still_progress(budget):
    """SageMaker answering 100 empty pages with a NextToken before any item: each LIST page keeps
    to its budget of calls, and the next one goes on along SageMaker's pages (its NextToken in the
    cursor), so every version is listed, once."""
    fake = FakeSageMaker(empty_pages=100, images_per_page=2, versions_per_page=10)
    for i in range(3):
        fake.add_image(f"img{i}", versions=12)
    calls_per_page = []

    def count(_pages):
        calls_per_page.append(fake.calls)

    found, pages = walk_all(fake, may_call=lambda calls: calls < budget, between_pages=count)
    assert sorted(found) == sorted(fake.every_version())
    spent = [b - a for a, b in zip([0, *calls_per_page], calls_per_page, strict=False)]
    # a page makes its budget of calls, and one more when it has not moved on before
    assert max(spent) <= budget + 1
    assert pages >= 100 * 3 // (budget + 1)


def test_a_cursor_keeps_sagemakers_token_while_it_names_the_same_query():
    cursor = Cursor(5, (), "img", 3, 7, "sagemaker-token")
    assert Cursor.decode(cursor.encode()) == cursor
    assert cursor.listed({"Version": 4, "CreationTime": EPOCH}).resume is None
    assert cursor.finished().resume is None


def test_a_token_of_the_earlier_format_naming_done_images_goes_on_where_it_was():
    """Tokens of earlier versions named the done images themselves ("d"); a LIST in flight
    across an upgrade goes on from them."""
    raw = json.dumps({"s": 5, "d": ["alpha", "beta"], "n": None, "v": 0, "vs": None})
    cursor = Cursor.decode(base64.urlsafe_b64encode(raw.encode()).decode())
    assert cursor.is_done("alpha", 5) and cursor.is_done("beta", 5)
    assert not cursor.is_done("gamma", 5)
    assert cursor.done == (mark("alpha"), mark("beta"))


@pytest.mark.parametrize("key", ["d", "h"])
def test_a_token_whose_done_images_are_not_a_list_of_strings_is_refused(key):
    raw = json.dumps({"s": 5, key: "abc", "n": None, "v": 0, "vs": None})
    with pytest.raises(InvalidRequest, match="nextToken"):
        Cursor.decode(base64.urlsafe_b64encode(raw.encode()).decode())


def test_a_token_stays_short_however_many_images_share_a_millisecond():
    cursor = Cursor(since=5)
    for n in range(200):
        cursor = cursor.starting(f"image-{n:03d}-".ljust(63, "x"), 5).finished()
    assert all(cursor.is_done(f"image-{n:03d}-".ljust(63, "x"), 5) for n in range(200))
    assert len(cursor.encode()) <= TOKEN_MAX
