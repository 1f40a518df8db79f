"""The guide's table "What the handler logs" (guide/reliability-and-logging.md) names every
logging call of the shipped package (its level, module and message), and nothing the code does not
log; the runtime library's rows name calls its code makes."""

import ast
import importlib.util
import logging
import re
from pathlib import Path

from community_sagemaker_imageversion import telemetry

PACKAGE = Path("src/community_sagemaker_imageversion")
GUIDE_PAGE = Path("guide/reliability-and-logging.md")
LEVELS = {
    "debug": "DEBUG",
    "info": "INFO",
    "warning": "WARNING",
    "error": "ERROR",
    "exception": "ERROR",
    "critical": "CRITICAL",
}
ROW = re.compile(r"^\| (DEBUG|INFO|WARNING|ERROR|CRITICAL) \| `([\w.]+)` \| `([^`]+)` \|")

Entry = tuple[str, str, str]
LIBRARY = "cloudformation_cli_python_lib"


def logger_names(tree: ast.Module) -> set[str]:
    """Names bound to ``logging.getLogger(...)`` at module level."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value.func) == "logging.getLogger"
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def logging_calls(source: str) -> list[tuple[str, ast.expr | None]]:
    """(level, message argument) of every call of a module-level logger in ``source``."""
    tree = ast.parse(source)
    loggers = logger_names(tree)
    return [
        (LEVELS[node.func.attr], node.args[0] if node.args else None)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in loggers
        and node.func.attr in LEVELS
    ]


def package_calls() -> set[Entry]:
    entries = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for level, message in logging_calls(path.read_text()):
            assert isinstance(message, ast.Constant), f"{path}: a message that is not a literal"
            entries.add((level, module, str(message.value)))
    return entries


def documented_rows() -> set[Entry]:
    text = GUIDE_PAGE.read_text()
    section = text.split("## What the handler logs", 1)[1].split("\n## ", 1)[0]
    return {
        (m.group(1), m.group(2), m.group(3))
        for line in section.splitlines()
        if (m := ROW.match(line))
    }


def test_the_guide_names_every_log_call_of_the_package():
    in_code = package_calls()
    assert in_code, "no logging call found: nothing was checked"
    documented = {row for row in documented_rows() if not row[1].startswith(LIBRARY)}
    assert sorted(in_code - documented) == [], "logged but not in the guide"
    assert sorted(documented - in_code) == [], "in the guide but not logged"


def test_the_runtime_librarys_rows_name_calls_it_makes():
    library_rows = {row for row in documented_rows() if row[1].startswith(LIBRARY)}
    assert library_rows, "no row of the runtime library: nothing was checked"
    for level, module, message in sorted(library_rows):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, module
        source = Path(spec.origin).read_text()
        made = {
            (found, ast.unparse(argument) if argument is not None else "")
            for found, argument in logging_calls(source)
        }
        literal = repr(message)
        fragment = message.split(" %")[0]
        assert (level, literal) in made or (
            any(found == level for found, _ in made) and f'"{fragment}' in source
        ), f"{module} makes no {level} call logging {message!r}"


def test_the_package_logs_at_info_unless_its_level_was_set_before():
    package = logging.getLogger("community_sagemaker_imageversion")
    before = package.level
    try:
        package.setLevel(logging.NOTSET)
        telemetry.install()
        assert package.level == telemetry.HANDLER_LOG_LEVEL == logging.INFO
        package.setLevel(logging.WARNING)
        telemetry.install()
        assert package.level == logging.WARNING
    finally:
        package.setLevel(before)
