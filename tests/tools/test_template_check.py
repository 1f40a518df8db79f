"""`make templates` runs cfn-lint with our schema and the rules users run (src/cfn_lint_rules/,
whose every kind of mistake tests/lint_rules/ covers): clean templates pass, a mistake fails."""

import sys
from pathlib import Path

from make_targets import template_check
from make_targets.template_check import check, main, templates

EXAMPLE = Path("examples/image-versions.yaml")


def test_the_example_stack_and_the_sam_template_are_clean():
    assert check([EXAMPLE, Path("template.yml")]) == []


def test_make_templates_checks_every_template_under_examples_and_finds_them_clean(capsys):
    """The guide's templates (migrating, Studio) included, and any added later."""
    checked = templates()
    under_examples = {p for p in Path("examples").rglob("*") if p.suffix in {".yaml", ".yml"}}
    assert under_examples <= set(checked)
    assert {Path("examples/studio.yaml"), Path("examples/migrating/import.yaml")} <= set(checked)
    assert {Path("template.yml"), Path("test/setup.yml")} <= set(checked)
    assert main([]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"{len(checked)} template(s) checked, 0 problem(s)"
    )


def test_a_mistake_is_reported_by_our_rule_and_fails_the_target(tmp_path, capsys):
    text = EXAMPLE.read_text()
    assert "Processor: CPU" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("Processor: CPU", "Processor: TPU", 1))
    assert main([str(bad)]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"{bad}:")
    assert ":E9301:TrainingImageV1: Processor: 'TPU' is not one of ['CPU', 'GPU']" in printed[0]
    assert printed[1:] == ["1 template(s) checked, 1 problem(s)"]


def test_cfn_lint_own_findings_are_reported_too(tmp_path):
    text = EXAMPLE.read_text()
    assert "!Ref TrainingImageV2" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("!Ref TrainingImageV2", "!Ref TrainingImageV9", 1))
    problems = check([bad])
    assert [problem.split(":")[5] for problem in problems] == ["E6101"], problems
    assert "'TrainingImageV9' is not one of" in problems[0]


def test_a_template_cfn_lint_cannot_read_is_a_problem(tmp_path):
    missing = tmp_path / "missing.yaml"
    assert check([missing]) == [f"None:1:1:1:1:E0003:{missing} could not be processed by glob.glob"]


def test_cfn_lint_failing_without_a_finding_is_a_problem(monkeypatch):
    failing = [sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"]
    monkeypatch.setattr(template_check, "lint_command", lambda paths: failing)
    assert template_check.check([EXAMPLE]) == ["cfn-lint failed (exit 3):\nboom\n"]
