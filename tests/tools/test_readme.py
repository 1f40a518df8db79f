"""The README and the guide (guide/*.md): each claim they make about this project names the tests
that hold it, and each test named exists; each rule of guide/behaviour.md names at least one; the
layout page matches src/; every page is reachable from the README and every link between them
lands; the README stays a first page (try, use, register) and its set-up commands are CI's."""

import ast
import re
from pathlib import Path

README = Path("README.md")
GUIDE = Path("guide")
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def pages() -> list[Path]:
    return [README, *sorted(GUIDE.glob("*.md"))]


def _section(page: Path, title: str) -> str:
    text = page.read_text()
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start:] if end == -1 else text[start:end]


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_test_the_readme_and_the_guide_name_exists():
    named = {page: NAMED.findall(page.read_text()) for page in pages()}
    assert sum(map(len, named.values())) > 100
    missing = [
        f"{page}: {path}::{name}"
        for page, tests in named.items()
        for path, name in tests
        if not Path(path).is_file() or name not in _defined_tests(Path(path))
    ]
    assert missing == []


def test_every_behaviour_rule_names_its_tests():
    text = (GUIDE / "behaviour.md").read_text()
    rules = re.split(r"\n- \*\*", text)[1:]
    assert len(rules) >= 20
    untested = [rule.split("**")[0] for rule in rules if not NAMED.search(rule)]
    assert untested == []


LAYOUT_ROW = re.compile(r"^\| `(src/\w+)/` \| (.*) \|$", re.M)


def test_the_layout_table_names_every_package_of_src_and_exactly_its_modules():
    rows = dict(LAYOUT_ROW.findall((GUIDE / "layout.md").read_text()))
    packages = {f"src/{p.name}" for p in Path("src").iterdir() if (p / "__init__.py").is_file()}
    assert set(rows) == packages
    for package, text in rows.items():
        named = set(re.findall(r"`(\w+\.py)`", text))
        modules = {p.name for p in Path(package).rglob("*.py") if p.name != "__init__.py"}
        assert named == modules, (
            f"{package}: named but absent {named - modules}, unnamed {modules - named}"
        )


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.M | re.S)
    return {_anchor(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


def test_every_link_between_the_pages_lands_on_a_file_and_a_heading():
    broken = []
    for page in pages():
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page.resolve()
            if not linked.exists():
                broken.append(f"{page}: {target}")
            elif anchor and anchor not in _anchors(linked):
                broken.append(f"{page}: {target} (no such heading)")
    assert broken == []


def test_the_readme_links_every_guide_page_and_stays_a_first_page():
    text = README.read_text()
    linked = {Path(target.partition("#")[0]) for target in LINK.findall(text)}
    assert {page for page in GUIDE.glob("*.md")} <= linked
    assert len(text.splitlines()) <= 250


def test_the_readme_s_set_up_commands_are_the_ones_ci_runs():
    block = _section(README, "## Work on it").split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert commands == ["make test", "make contract"]
    ci = Path(".ci/run").read_text().splitlines()
    assert all(command in ci for command in commands)
