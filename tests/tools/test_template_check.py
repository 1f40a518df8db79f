"""The template check catches what cfn-lint lets through for our private type."""

from pathlib import Path

import pytest

from local_runner.template_check import check

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
    ],
)
def test_each_kind_of_mistake_is_reported(tmp_path, original, broken, expected):
    text = EXAMPLE.read_text()
    assert original in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(original, broken, 1))
    problems = check([bad])
    assert any(expected in problem for problem in problems), problems


def test_computed_values_are_left_to_cloudformation(tmp_path):
    text = EXAMPLE.read_text().replace('Aliases: ["1.0"]', 'Aliases: [!Ref RepositoryUri, "1.0"]')
    template = tmp_path / "computed.yaml"
    template.write_text(text)
    assert check([template]) == []
