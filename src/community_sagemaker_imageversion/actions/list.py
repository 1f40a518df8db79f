"""LIST: one page of versions (``listing``: a cursor by values over ListImages and
ListImageVersions that neither repeats nor skips), of every image or of the one named.

A page holds at most ``listing.PAGE_SIZE`` versions and, once it has moved on, ends after
``listing.CALLS_PER_PAGE`` SageMaker calls or when the invocation has no time for another. An
image gone, or being deleted, between pages has no versions to list. An ImageName that differs
from an image's name only in case lists that image's versions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cloudformation_cli_python_lib import exceptions

from ..decisions import versions_go_with_image
from ..engine import Action, Done, Step
from ..errors import Missing, Refused
from ..listing import CALLS_PER_PAGE, Cursor, Walk
from ..translation import identifier_model
from ..validation import STRING_RULES, string_problems


def listing(step: Step) -> Done:
    model = step.desired
    image_name = model.ImageName if model else None
    sagemaker = step.sagemaker
    missing: set[str] = set()
    calls_at_start = sagemaker.calls_made()

    def versions_page(
        name: str, after: datetime | None, token: str | None
    ) -> tuple[list[dict[str, Any]], str | None] | None:
        try:
            items, next_token = sagemaker.versions_page(name, after, token)
        except Missing:
            missing.add(name)
            return None
        except Refused:
            # refused as "in an invalid state": an image being deleted takes its versions
            if not versions_go_with_image(sagemaker.image_status(name)):
                raise
            missing.add(name)
            return None
        return [dict(item) for item in items], next_token

    walk = Walk(
        images_page=sagemaker.images_page,
        versions_page=versions_page,
        may_call=lambda _made: (
            sagemaker.calls_made() - calls_at_start < CALLS_PER_PAGE and sagemaker.has_time()
        ),
        has_time=sagemaker.has_time,
    )
    cursor = Cursor.decode(step.request.nextToken)
    if not image_name:
        if cursor.image is not None and cursor.since is None:
            raise exceptions.InvalidRequest(
                f"nextToken was issued for a LIST with ImageName {cursor.image}, not for this one"
            )
        found, after = walk.page(cursor)
    else:
        problems = string_problems("ImageName", image_name, STRING_RULES["ImageName"])
        if problems:
            raise exceptions.InvalidRequest("Invalid LIST filter: " + "; ".join(problems))
        if cursor != Cursor() and not _of_image(cursor, image_name):
            raise exceptions.InvalidRequest(
                f"nextToken was not issued for a LIST with ImageName {image_name}"
            )
        found, after = walk.versions(cursor if cursor.image else Cursor(image=image_name))
        if not found and image_name in missing:
            real_name = sagemaker.image_name_for(image_name)
            if real_name is not None and real_name != image_name:
                found, after = walk.versions(Cursor(image=real_name))
    models = [identifier_model(name, item) for name, item in found]
    return Done(models=models, next_token=after.encode() if after else None)


def _of_image(cursor: Cursor, image_name: str) -> bool:
    """Whether ``cursor`` is one a LIST with ImageName ``image_name`` issues: of that image
    (or of the one whose name differs only in case), without the values of a walk of every
    image."""
    return (
        cursor.image is not None
        and cursor.image.lower() == image_name.lower()
        and cursor.since is None
        and not cursor.done
    )


ACTION = Action("LIST", "list", {"list": listing}, synchronous=True)
