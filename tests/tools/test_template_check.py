"""The template check catches what cfn-lint lets through for our private type."""

from pathlib import Path

import pytest

from make_targets.template_check import check

EXAMPLE = Path("examples/image-versions.yaml")


def test_the_example_stack_and_the_sam_template_are_clean():
    assert check([EXAMPLE, Path("template.yml")]) == []


@pytest.mark.parametrize(
    ("original", "broken", "expected"),
    [
        ("Processor: CPU", "Processor: TPU", "'TPU' is not one of ['CPU', 'GPU']"),
        ("Processor: CPU", "Processor: CPU\n      Colour: blue", "'Colour' was unexpected"),
        ('Aliases: ["1.0"]', 'Aliases: [".hidden"]', "does not match"),
        ("MLFramework: PyTorch 2.2", "MLFramework: PyTorch", "does not match"),
        ("!GetAtt TrainingImageV2.Version", "!GetAtt TrainingImageV2.Nope", "no attribute 'Nope'"),
        ("!Ref TrainingImageV2", "!Ref TrainingImageV9", "cfn-lint"),
        (
            "ImageName: !Ref ImageName\n      BaseImage",
            "ImageName: !Ref TrainingImage\n      BaseImage",
            "gives the image's ARN, not its name",
        ),
        (
            'Aliases: ["3.0-rc1", candidate]',
            'Aliases: ["3.0-rc1", candidate, stable]',
            "TrainingImageV2 and TrainingImageV3 all claim alias 'stable' of one image",
        ),
        (
            'Aliases: ["1.0"]',
            'Aliases: ["1.0"]\n      Alias: candidate',
            "TrainingImageV1 and TrainingImageV3 all claim alias 'candidate' of one image",
        ),
    ],
)
def test_each_kind_of_mistake_is_reported(tmp_path, original, broken, expected):
    text = EXAMPLE.read_text()
    assert original in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(original, broken, 1))
    problems = check([bad])
    assert any(expected in problem for problem in problems), problems


def test_one_alias_on_versions_of_different_images_is_no_clash(tmp_path):
    v3 = 'ImageName: !Ref ImageName\n      BaseImage: !Sub "${RepositoryUri}:3.0-rc1"'
    text = EXAMPLE.read_text()
    assert v3 in text
    text = text.replace(v3, v3.replace("!Ref ImageName", "OtherImage"))
    text = text.replace(
        'Aliases: ["3.0-rc1", candidate]', 'Aliases: ["3.0-rc1", candidate, stable]'
    )
    template = tmp_path / "two-images.yaml"
    template.write_text(text)
    assert check([template]) == []


def test_computed_values_are_left_to_cloudformation(tmp_path):
    text = EXAMPLE.read_text().replace('Aliases: ["1.0"]', 'Aliases: [!Ref RepositoryUri, "1.0"]')
    template = tmp_path / "computed.yaml"
    template.write_text(text)
    assert check([template]) == []
