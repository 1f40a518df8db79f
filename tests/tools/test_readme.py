"""The README's claims about this project name the tests that hold them: each test it names
exists, and each rule of "Behaviour worth knowing" names at least one."""

import ast
import re
from pathlib import Path

README = Path("README.md")
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(title)
    end = text.find("\n## ", start)
    return text[start:] if end == -1 else text[start:end]


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_test_the_readme_names_exists():
    named = NAMED.findall(README.read_text())
    assert len(named) > 30
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not Path(path).is_file() or name not in _defined_tests(Path(path))
    ]
    assert missing == []


def test_every_behaviour_rule_names_its_tests():
    section = _section("### Behaviour worth knowing")
    rules = [block for block in re.split(r"\n- \*\*", section)[1:]]
    assert len(rules) >= 20
    untested = [rule.split("**")[0] for rule in rules if not NAMED.search(rule)]
    assert untested == []


LAYOUT_ROW = re.compile(r"^\| `(src/\w+)/` \| (.*) \|$", re.M)


def test_the_layout_table_names_every_package_of_src_and_exactly_its_modules():
    rows = dict(LAYOUT_ROW.findall(_section("## Layout")))
    packages = {f"src/{p.name}" for p in Path("src").iterdir() if (p / "__init__.py").is_file()}
    assert set(rows) == packages
    for package, text in rows.items():
        named = set(re.findall(r"`(\w+\.py)`", text))
        modules = {p.name for p in Path(package).rglob("*.py") if p.name != "__init__.py"}
        assert named == modules, (
            f"{package}: named but absent {named - modules}, unnamed {modules - named}"
        )
