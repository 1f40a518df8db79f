"""Our cfn-lint rules, run as users run them: the README's command on small templates, one per kind
of mistake (tests/lint_rules/templates/), each reported with its rule id, the property and the
schema rule it breaks."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.helpers import load_plugins

TEMPLATES = Path(__file__).parent / "templates"
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
# The command of the README's "Linting your templates", word for word.
README_COMMAND = (
    "cfn-lint my-stack.yaml"
    " --registry-schemas src/cfn_lint_rules/schemas --append-rules src/cfn_lint_rules"
)
CLEAN = [Path("examples/image-versions.yaml"), Path("template.yml")]
CLEAN_TEMPLATE = TEMPLATES / "clean_other_image_and_computed.yaml"


def _lint(paths: list[Path]) -> tuple[int, dict[Path, list[tuple[int, str, str]]]]:
    """cfn-lint's exit code, and (line, rule id, message) of each match per template."""
    _, template, *options = README_COMMAND.split()
    assert template == "my-stack.yaml"
    # one match a line: file:line:column:end line:end column:rule:message
    command = [CFN_LINT, *map(str, paths), *options, "--format", "parseable"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.stderr == ""
    found: dict[Path, list[tuple[int, str, str]]] = {path: [] for path in paths}
    for line in result.stdout.splitlines():
        file, line_number, _, _, _, rule, message = line.split(":", 6)
        found[Path(file)].append((int(line_number), rule, message))
    return result.returncode, found


ML_FRAMEWORK = (
    "MLFramework must be a name in letters (A-Z, a-z), an optional space, then a version: two or"
    " three numbers in digits (0-9) joined by dots, such as 'PyTorch 2.3'"
)
UNORDERED = (
    "are versions of one image that nothing orders: SageMaker makes one version of an image at a"
    " time, so versions started together keep asking for their turn, each time in a billed"
    " handler operation; a DependsOn chain costs fewer operations and, simulated, takes no longer"
)
# (template, rule id, line, message): each kind of mistake, as cfn-lint reports it
MISTAKES = [
    (
        "unknown_property",
        "E9301",
        9,
        "TrainingImageV1: Colour is not a property of Community::SageMaker::ImageVersion"
        " (schema rule additionalProperties)",
    ),
    (
        "bad_enum",
        "E9301",
        9,
        "TrainingImageV1: Processor: 'TPU' is not one of ['CPU', 'GPU'] (schema rule enum)",
    ),
    (
        "bad_pattern",
        "E9301",
        9,
        f"TrainingImageV1: MLFramework: 'PyTorch' is not allowed: {ML_FRAMEWORK}"
        " (schema rule pattern)",
    ),
    (
        "pattern_as_the_handler_reads_it",
        "E9301",
        9,
        "TrainingImageV1: ImageName: 'training-image\\n' is not allowed: ImageName must be letters"
        " (A-Z, a-z) and digits (0-9), with single hyphens or dots only between two of them"
        " (schema rule pattern)",
    ),
    (
        "pattern_as_the_handler_reads_it",
        "E9301",
        11,
        f"TrainingImageV1: MLFramework: 'PyTorch \u0662.\u0663' is not allowed: {ML_FRAMEWORK}"
        " (schema rule pattern)",
    ),
    (
        "too_long",
        "E9301",
        9,
        "TrainingImageV1: ReleaseNotes: expected maximum length: 255, found: 256"
        " (schema rule maxLength)",
    ),
    (
        "out_of_range",
        "E9301",
        9,
        "TrainingImageV1: Version: 0 is less than the minimum of 1 (schema rule minimum)",
    ),
    (
        "out_of_range",
        "E9301",
        9,
        "TrainingImageV1: Version is read-only: CloudFormation sets it"
        " (schema rule readOnlyProperties)",
    ),
    (
        "missing_required",
        "E9301",
        6,
        "TrainingImageV1: 'BaseImage' is a required property of"
        " Community::SageMaker::ImageVersion (schema rule required)",
    ),
    (
        "wrong_type",
        "E9301",
        9,
        "TrainingImageV1: Aliases: 'stable' is not of type 'array' (schema rule type)",
    ),
    (
        "repeated_alias",
        "E9301",
        12,
        "TrainingImageV1: Aliases lists 'stable' more than once: the handler refuses a repeated"
        " alias (each alias at most once)",
    ),
    (
        "bogus_getatt",
        "E9302",
        13,
        "GetAtt TrainingImageV1.Nope: Community::SageMaker::ImageVersion has no attribute"
        " 'Nope' (attributes: ContainerImage, ImageArn, ImageVersionArn, Version)",
    ),
    (
        "bogus_getatt_sub",
        "E9302",
        15,
        "Sub ${TrainingImageV1.Nope}: Community::SageMaker::ImageVersion has no attribute"
        " 'Nope' (attributes: ContainerImage, ImageArn, ImageVersionArn, Version)",
    ),
    (
        "bogus_getatt_sub",
        "E9302",
        18,
        "Sub ${TrainingImageV1.Arn}: Community::SageMaker::ImageVersion has no attribute"
        " 'Arn' (attributes: ContainerImage, ImageArn, ImageVersionArn, Version)",
    ),
    (
        "shared_alias_literal",
        "E9303",
        18,
        "TrainingImageV1 and TrainingImageV2 both claim alias 'stable' of one image: an alias"
        " names one version at a time, so each would take it from the other",
    ),
    (
        "shared_alias_ref",
        "E9303",
        19,
        "TrainingImageV1 and TrainingImageV2 both claim alias 'stable' of one image: an alias"
        " names one version at a time, so each would take it from the other",
    ),
    (
        "unordered_versions",
        "W9305",
        11,
        f"TrainingImageV2 and TrainingImageV3 {UNORDERED}: add DependsOn: TrainingImageV3",
    ),
    (
        "shared_alias_condition",
        "E9303",
        30,
        "ServingV1 and ServingV2 both claim alias 'stable' of one image: an alias names one"
        " version at a time, so each would take it from the other",
    ),
    (
        "shared_alias_condition",
        "E9303",
        44,
        "TrainingAGpu and TrainingBase both claim alias 'stable' of one image: an alias names one"
        " version at a time, so each would take it from the other",
    ),
    (
        "shared_alias_condition",
        "E9303",
        60,
        "InferenceGpu and InferenceProd both claim alias 'stable' of one image: an alias names"
        " one version at a time, so each would take it from the other",
    ),
    (
        "unordered_versions_condition",
        "W9305",
        22,
        f"ServingV2 and ServingV1 {UNORDERED}: add DependsOn: ServingV1",
    ),
    (
        "unordered_versions_condition",
        "W9305",
        28,
        f"TrainingAGpu and TrainingBase {UNORDERED}: add DependsOn: TrainingBase",
    ),
    (
        "unordered_versions_condition",
        "W9305",
        51,
        f"InferenceProd and InferenceGpu {UNORDERED}, but InferenceGpu exists only when condition"
        " Gpu holds, so DependsOn cannot name it: add to InferenceProd's Metadata a Ref that"
        " applies only then, such as AfterInferenceGpu: !If [Gpu, !Ref InferenceGpu,"
        " !Ref AWS::NoValue]",
    ),
    (
        "image_ref",
        "E9304",
        15,
        "TrainingImageV1: ImageName: Ref TrainingImage gives the image's ARN, not its name;"
        " use the name itself (a parameter or literal) with DependsOn on the image",
    ),
]


@pytest.fixture(scope="module")
def matches():
    """Every template with a mistake, in one cfn-lint run."""
    _, found = _lint([TEMPLATES / f"{case[0]}.yaml" for case in MISTAKES])
    return found


@pytest.mark.parametrize(("template", "rule", "line", "message"), MISTAKES)
def test_each_kind_of_mistake_is_reported_with_its_rule(matches, template, rule, line, message):
    found = matches[TEMPLATES / f"{template}.yaml"]
    assert (line, rule, message) in found
    assert {match[1] for match in found} == {rule}


def test_the_readme_gives_the_command_these_tests_run():
    assert f"\n{README_COMMAND}\n" in Path("README.md").read_text()


def test_every_mistake_template_is_tested():
    templates = {path.stem for path in TEMPLATES.glob("*.yaml")}
    assert templates - {CLEAN_TEMPLATE.stem} == {case[0] for case in MISTAKES}


def test_the_example_stack_the_sam_template_and_computed_values_pass():
    code, found = _lint([*CLEAN, CLEAN_TEMPLATE])
    assert found == {path: [] for path in found}
    assert code == 0


def test_a_mistake_fails_the_command():
    code, found = _lint([TEMPLATES / "bad_enum.yaml"])
    assert [rule for _, rule, _ in found[TEMPLATES / "bad_enum.yaml"]] == ["E9301"]
    assert code == 2


def test_plain_cfn_lint_with_the_schema_lets_the_mistakes_through():
    """Why the rules exist: without --append-rules, cfn-lint 1.58 passes these templates."""
    plain = [CFN_LINT, "--registry-schemas", "src/cfn_lint_rules/schemas", "--"]
    mistakes = ["bad_enum", "unknown_property", "bogus_getatt"]
    result = subprocess.run(
        plain + [str(TEMPLATES / f"{name}.yaml") for name in mistakes],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "")


def test_the_folder_gives_cfn_lint_exactly_our_five_rules():
    loaded = load_plugins("src/cfn_lint_rules")
    assert sorted(rule.id for rule in loaded) == ["E9301", "E9302", "E9303", "E9304", "W9305"]


def test_a_resource_named_by_a_number_is_no_crash_of_our_rules(tmp_path):
    template = tmp_path / "numbered.yaml"
    template.write_text(
        "Resources:\n"
        "  123:\n"
        "    Type: Community::SageMaker::ImageVersion\n"
        "    Properties: {ImageName: training, BaseImage: repo:1.0, Aliases: [stable]}\n"
        "  V2:\n"
        "    Type: Community::SageMaker::ImageVersion\n"
        "    Properties: {ImageName: training, BaseImage: repo:2.0, Aliases: [stable]}\n"
    )
    _, found = _lint([template])
    rules = {rule for _, rule, message in found[template] if "9305" in message or "930" in rule}
    assert {"E9303", "W9305"} <= rules
    crashes = [m for _, rule, m in found[template] if rule == "E0002" and "930" in m]
    assert crashes == []


def test_the_rules_copied_outside_a_checkout_read_patterns_as_the_handler(tmp_path):
    """The README's way outside a checkout: the rules and the handler's ecma_regex.py and
    casting.py in one folder, the schema in another, and no src/ on Python's path."""
    rules, schemas = tmp_path / "rules", tmp_path / "schemas"
    rules.mkdir()
    schemas.mkdir()
    shutil.copy("src/cfn_lint_rules/image_version.py", rules)
    shutil.copy("src/community_sagemaker_imageversion/ecma_regex.py", rules)
    shutil.copy("src/community_sagemaker_imageversion/casting.py", rules)
    shutil.copy("sagemaker-imageversion.json", schemas / "community-sagemaker-imageversion.json")
    template = TEMPLATES / "pattern_as_the_handler_reads_it.yaml"
    command = [CFN_LINT, str(template), "--registry-schemas", str(schemas), "--append-rules"]
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [*command, str(rules), "--format", "parseable"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=environment,
    )
    assert (result.returncode, result.stderr) == (2, "")
    found = [line.split(":", 6)[5:] for line in result.stdout.splitlines()]
    expected = [[rule, message] for name, rule, _, message in MISTAKES if name == template.stem]
    assert found == expected
