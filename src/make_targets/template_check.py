"""`make templates`: templates that use Community::SageMaker::ImageVersion, through cfn-lint with
our schema and our rules.

cfn-lint (1.58) loads private types with ``--registry-schemas`` but then validates neither their
properties nor their GetAtt attributes. The rules in ``src/cfn_lint_rules/`` do (they are what
users run on their own templates with ``--append-rules``); this runs cfn-lint with both, exactly as
the README tells users to, so the project checks its templates with the same rules.

``python -m make_targets.template_check TEMPLATE...`` exits 1 and prints each problem.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cfn_lint_rules

RULES = Path(cfn_lint_rules.__file__).parent
SCHEMAS = RULES / "schemas"


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
    problems = check([Path(p) for p in argv])
    for problem in problems:
        print(problem)
    print(f"{len(argv)} template(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
