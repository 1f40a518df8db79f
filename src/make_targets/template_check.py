"""`make templates`: templates that use Community::SageMaker::ImageVersion, through cfn-lint with
our schema and our rules.

cfn-lint (1.58) loads private types with ``--registry-schemas`` but then validates neither their
properties nor their GetAtt attributes. The rules in ``src/cfn_lint_rules/`` do (they are what
users run on their own templates with ``--append-rules``); this runs cfn-lint with both, exactly as
the README tells users to, so the project checks its templates with the same rules.

``python -m make_targets.template_check [TEMPLATE...]`` exits 1 and prints each problem; without a
template it checks the project's own (:func:`templates`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cfn_lint_rules

RULES = Path(cfn_lint_rules.__file__).parent
SCHEMAS = RULES / "schemas"


def templates(root: Path = Path()) -> list[Path]:
    """The project's templates: every one under ``examples/`` (the guide's too), the SAM template
    and the contract tests' setup stack."""
    examples = sorted(
        path for path in root.glob("examples/**/*") if path.suffix in {".yaml", ".yml"}
    )
    return [*examples, root / "template.yml", root / "test/setup.yml"]


def lint_command(paths: list[Path]) -> list[str]:
    """cfn-lint with our schema and rules, one problem a line (``file:line:...:RULE:message``)."""
    runner = "import sys; from cfnlint.runner import main; sys.exit(main())"
    options = ["--registry-schemas", str(SCHEMAS), "--append-rules", str(RULES)]
    return [sys.executable, "-c", runner, *map(str, paths), *options, "--format", "parseable"]


def check(paths: list[Path]) -> list[str]:
    """Each problem cfn-lint and our rules find in ``paths``, one a line."""
    result = subprocess.run(  # noqa: S603
        lint_command(paths), capture_output=True, text=True, check=False
    )
    problems = result.stdout.splitlines()
    if result.returncode != 0 and not problems:
        problems.append(f"cfn-lint failed (exit {result.returncode}):\n{result.stderr}")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or templates()
    problems = check(paths)
    for problem in problems:
        print(problem)
    print(f"{len(paths)} template(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
