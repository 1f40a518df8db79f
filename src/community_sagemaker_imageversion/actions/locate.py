"""Finding the version a model names, and doubting its absence (READ, UPDATE, DELETE).

An ARN names a version only when SageMaker issued it for that version in the request's account
and region: the ARN's account and region must be the request's, and it must be exactly the ARN
SageMaker returns for the version it names (so another partition, a version number with leading
zeros or a name in other case never reach a version). Anything else is NotFound, before any call
that changes anything.

The model's ImageName may differ from the image's real name in case (an import, or a template
that copied the lower-cased name from the ARN): the real name is then found with ListImages.

An image deleted and made again under the same name numbers its versions from 1 again, so an ARN
kept by a stack can come to name a version someone else made. BaseImage never changes on a
version (it is create-only): a version whose BaseImage is not the model's is not the model's
version, and is NotFound for READ, UPDATE and DELETE alike (a retry cannot change that). (A
version made again from the same BaseImage cannot be told apart by anything the model holds.)
So is a version of another image than the model's ImageName names (in any case): an ARN swapped
between two images' models never reaches the other image's version.

A version SageMaker does not show is gone only once its absence is confirmed
(``decisions.absence``): quickly when the model carries what only SageMaker's answer does (its
ContainerImage: SageMaker has shown this version before), else over ``timing.LAG_BOUND``
(READ, which cannot call back: over what its one invocation allows).
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudformation_cli_python_lib import exceptions

from .. import TYPE_NAME
from ..arns import ImageVersionArn, names_same_image, parse_image_version_arn
from ..context import Tracked, Watch
from ..decisions import absence
from ..engine import Step, Wait
from ..models import ResourceModel
from ..sagemaker import (
    Foreign,
    ImageGoing,
    ImageGone,
    Shown,
    creation_of,
    find_version,
    version_label,
)
from ..timing import LAG_BOUND


@dataclass(frozen=True)
class Found:
    """A version SageMaker shows: the image's real name, the number, the description, and the
    ImageName to report (the model's spelling when it names this image, else the real name)."""

    name: str
    shown: Shown
    spelled: str

    @property
    def description(self) -> Shown:
        return self.shown

    @property
    def number(self) -> int:
        return int(self.shown.description["Version"])

    @property
    def arn(self) -> str:
        return str(self.shown.description["ImageVersionArn"])

    @property
    def status(self) -> str:
        return self.shown.status

    def tracked(self) -> Tracked:
        description = self.shown.description
        return Tracked(
            self.arn,
            self.name,
            self.number,
            description["BaseImage"],
            description.get("ContainerImage"),
            creation_of(description),
        )

    def spelled_as(self, image_name: str | None) -> str:
        """The ImageName to report for a model naming the image ``image_name``: that spelling
        when it names this image in any case, else :attr:`spelled`."""
        if image_name and image_name.lower() == self.name.lower():
            return image_name
        return self.spelled


def not_found(what: object) -> exceptions.NotFound:
    return exceptions.NotFound(TYPE_NAME, str(what))


def local_version_arn(
    arn: str | None, region: str | None = None, account: str | None = None
) -> ImageVersionArn:
    """The parts of an ARN SageMaker could have issued in ``region`` and ``account``; NotFound
    for anything else."""
    parsed = parse_image_version_arn(arn) if arn else None
    if parsed is None or not parsed.is_in(region, account):
        raise not_found(repr(arn) if arn else "(no ImageVersionArn)")
    return parsed


def locate(
    step: Step,
    model: ResourceModel | None,
    name_hint: str | None = None,
    *,
    owned: bool = True,
    shown: bool = False,
) -> Found | ImageGoing | Wait:
    """The version ``model`` names (``name_hint``: the ImageName when the model has none), its
    image being deleted, or a Wait while its absence is doubted; NotFound once it is not there
    (``owned``: a version made from another BaseImage than the model's is not there either;
    ``shown``: the caller knows SageMaker has shown it, whatever the model carries)."""
    arn = model.ImageVersionArn if model else None
    parsed = local_version_arn(arn, step.request.region, step.request.awsAccountId)
    named = model.ImageName if model is not None else None
    if owned and named and not names_same_image(str(named), parsed.name_lower):
        raise not_found(
            f"{arn} (a version of image {parsed.name_lower}, not of image {named} as the model"
            " says)"
        )
    hint = named or name_hint
    hinted = bool(hint) and names_same_image(str(hint), parsed.name_lower)
    # the image's real name, once a look found it in another case (kept for the next reads)
    name = step.context.image or (str(hint) if hinted else parsed.name_lower)
    base = model.BaseImage if model is not None and owned else None
    # (why a version is not shown is asked at its first miss: the doubt's later reads need not)
    first_look = step.context.watch is None or step.context.watch.misses == 0
    sighting = find_version(
        step.sagemaker, name, parsed.version, arn=arn, base=base, why_not=first_look
    )
    if isinstance(sighting, ImageGone):
        real = step.sagemaker.image_name_for(name)
        if real is not None and real != name:
            name = step.context.image = real
            sighting = find_version(step.sagemaker, name, parsed.version, arn=arn, base=base)
    if isinstance(sighting, Shown):
        return Found(name, sighting, str(hint) if hinted else name)
    if isinstance(sighting, Foreign):
        raise not_found(f"{arn} ({sighting.why})")
    if isinstance(sighting, ImageGone):
        raise not_found(f"{arn} (no image {name} exists)")
    if isinstance(sighting, ImageGoing):
        return sighting
    shown = shown or (model is not None and model.ContainerImage is not None)
    return doubt(step, version_label(name, parsed.version), shown=shown, what=str(arn))


def doubt(step: Step, label: str, *, shown: bool, what: str, since: float | None = None) -> Wait:
    """A Wait while the absence of a version SageMaker does not show is doubted (``shown``:
    SageMaker has shown it before; ``since``: the start of a lag it may still be in, when known);
    NotFound naming ``what`` once it is confirmed. The count of reads that missed it is the
    context's watch, which any read that shows it resets."""
    watch = step.context.watch or Watch()
    step.context.watch = watch
    if watch.missing_since is None:
        watch.missing_since = step.now if since is None else min(since, step.now)
    watch.misses += 1
    wait = absence(watch.missing_since, watch.misses, step.now, shown=shown, bound=LAG_BOUND)
    gone = not_found(what)
    if wait is None:
        raise gone
    return Wait(wait, f"{label} is not shown: making sure it is gone", otherwise=gone)


def seen(step: Step) -> None:
    """A read showed the version: forget the reads that missed it."""
    watch = step.context.watch
    if watch is not None:
        watch.missing_since, watch.misses = None, 0
        watch.shown = True
