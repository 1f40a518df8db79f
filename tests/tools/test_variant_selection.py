"""make test-variants runs, for each variant, the tests whose run reads its rule; reuses a rule
trace only for the source tree it ran; fails when a variant has no test reading its rule."""

import pytest

from make_targets import variants
from make_targets.variant_selection import (
    Trace,
    longest_first,
    most_specific,
    read_trace,
    selection_for,
    source_hash,
    usable,
    write_trace,
)

READER = "tests/handlers/test_a.py::test_reads_alias_clash"
OTHER = "tests/handlers/test_a.py::test_reads_pagination"
SILENT = "tests/handlers/test_a.py::test_reads_nothing"
PROPERTY = "tests/reliability/test_b.py::test_a_property"
CANDIDATES = [READER, OTHER, SILENT, PROPERTY]


def trace(source="abc", **reads):
    return Trace(
        source_hash=source,
        ran=tuple(CANDIDATES),
        reads={READER: frozenset({"alias_clash"}), OTHER: frozenset({"pagination"}), **reads},
        unrepeatable=frozenset({PROPERTY}),
    )


def test_a_test_that_reads_the_rule_is_selected_and_one_that_does_not_is_not():
    assert selection_for(trace(), "alias_clash", CANDIDATES) == [READER, PROPERTY]
    assert selection_for(trace(), "pagination", CANDIDATES) == [OTHER, PROPERTY]


def test_a_rule_no_test_reads_selects_nothing_not_even_the_unrepeatable_tests():
    assert selection_for(trace(), "archival", CANDIDATES) == []


def test_an_unrepeatable_test_that_reads_the_rule_makes_it_tested():
    reads_archival = trace(**{PROPERTY: frozenset({"archival"})})
    assert selection_for(reads_archival, "archival", CANDIDATES) == [PROPERTY]


def test_a_trace_of_another_source_tree_is_not_usable():
    assert usable(trace("abc"), "abc", CANDIDATES)
    assert not usable(trace("abc"), "abd", CANDIDATES)
    assert not usable(None, "abc", CANDIDATES)


def test_a_trace_that_did_not_run_every_needed_test_is_not_usable():
    assert not usable(trace(), "abc", [*CANDIDATES, "tests/handlers/test_a.py::test_new"])


def test_the_source_hash_changes_with_any_file_under_src_or_tests(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "src" / "module.py").write_text("A = 1\n")
    (tmp_path / "tests" / "test_module.py").write_text("def test_a(): ...\n")
    first = source_hash(tmp_path)
    (tmp_path / "tests" / "__pycache__").mkdir()
    (tmp_path / "tests" / "__pycache__" / "test_module.pyc").write_bytes(b"\0")
    (tmp_path / "README.md").write_text("outside src and tests\n")
    assert source_hash(tmp_path) == first
    (tmp_path / "tests" / "test_module.py").write_text("def test_a(): assert True\n")
    second = source_hash(tmp_path)
    assert second != first
    (tmp_path / "src" / "new.py").write_text("")
    assert source_hash(tmp_path) not in {first, second}


def test_a_trace_reads_back_as_written_and_garbage_reads_as_none(tmp_path):
    path = tmp_path / "trace.json"
    write_trace(path, trace())
    assert read_trace(path) == trace()
    path.write_text('{"source_hash": "abc"}')
    assert read_trace(path) is None
    assert read_trace(tmp_path / "missing.json") is None


@pytest.fixture
def target(tmp_path, monkeypatch):
    """variants.main with pytest replaced: each call recorded, its log given a summary line."""
    monkeypatch.setattr(variants, "ROOT", tmp_path)
    monkeypatch.setattr(variants, "LOGS", tmp_path / "build" / "variants")
    monkeypatch.setattr(variants, "TRACE", tmp_path / "build" / "rule-trace.json")
    monkeypatch.setattr(variants, "collect", lambda pytest_args: list(CANDIDATES))
    calls = []

    def run_pytest(arguments, log, environment):
        calls.append((environment.get("SAGEMAKER_EMULATOR_VARIANTS"), list(arguments)))
        if any(argument.startswith("--rule-trace=") for argument in arguments):
            write_trace(variants.TRACE, trace(source_hash(tmp_path)))
        log.write_text("1 passed in 0.01s\n")
        return 0

    monkeypatch.setattr(variants, "run_pytest", run_pytest)
    return calls


def test_each_variant_runs_only_the_tests_that_read_its_rule(target, tmp_path):
    write_trace(variants.TRACE, trace(source_hash(tmp_path)))
    assert variants.main(["--only", "alias_clash=move", "--only", "pagination=offset"]) == 0
    # (the runs go several at a time: the order they reach the target in is the threads')
    assert sorted(variant for variant, _ in target) == ["alias_clash=move", "pagination=offset"]
    listing = tmp_path / "build" / "variants" / "alias_clash=move.tests"
    assert listing.read_text().splitlines() == [READER, PROPERTY]
    assert f"@{listing}" in dict(target)["alias_clash=move"]


def test_a_fresh_trace_is_reused_and_a_stale_one_is_traced_again(target, tmp_path, capsys):
    write_trace(variants.TRACE, trace(source_hash(tmp_path)))
    assert variants.main(["--only", "alias_clash=move"]) == 0
    assert "reused" in capsys.readouterr().out
    assert not any("--rule-trace=" in " ".join(arguments) for _, arguments in target)

    write_trace(variants.TRACE, trace("a source tree since changed"))
    target.clear()
    assert variants.main(["--only", "alias_clash=move"]) == 0
    traced_runs = [args for _, args in target if f"--rule-trace={variants.TRACE}" in args]
    assert len(traced_runs) == 1
    assert target[0][0] is None  # the traced run follows the default rules
    assert read_trace(variants.TRACE) == trace(source_hash(tmp_path))


def test_a_variant_whose_rule_no_test_reads_fails_the_target(target, tmp_path, capsys):
    write_trace(variants.TRACE, trace(source_hash(tmp_path)))
    assert variants.main(["--only", "archival=after_delay", "--only", "alias_clash=move"]) == 1
    out = capsys.readouterr().out
    assert "FAILED  archival=after_delay" in out
    assert "UNTESTED" in out
    assert "failed: archival=after_delay" in out
    assert [variant for variant, _ in target] == ["alias_clash=move"]


def test_the_variants_with_most_tests_start_first_and_untested_ones_not_at_all():
    selections = {"a=1": [READER], "b=1": [READER, OTHER, SILENT], "c=1": [], "d=1": [OTHER]}
    assert longest_first(selections) == ["b=1", "a=1", "d=1"]


def test_at_most_so_many_tests_per_variant_those_most_about_its_rule():
    trace = Trace(
        source_hash="h",
        ran=("a", "b", "c", "d"),
        reads={
            "a": frozenset("rst"),
            "b": frozenset("r"),
            "c": frozenset("rs"),
            "d": frozenset("r"),
        },
        unrepeatable=frozenset(),
    )
    assert most_specific(trace, ["a", "b", "c", "d"], 2) == ["b", "d"]
    assert most_specific(trace, ["a", "b", "c", "d"], 3) == ["b", "c", "d"]
    assert most_specific(trace, ["a", "b", "c", "d"], 0) == ["a", "b", "c", "d"]
    assert most_specific(trace, ["c", "a"], 5) == ["c", "a"]
