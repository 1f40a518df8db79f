"""The decisions behind our cfn-lint rules, without cfn-lint: what counts as computed, as one
image, as a claimed alias."""

import inspect
import itertools
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cfn_lint_rules.image_version import (
    PATTERN_WORDS,
    claimed_aliases,
    existing_together,
    get_att_problems,
    is_computed,
    never_together,
    property_problems,
    reachable,
    repeated_alias_problems,
    schema_regex,
    shared_alias_problems,
    sub_get_atts,
    unordered_message,
    unordered_versions,
)

SCHEMA = json.loads(Path("sagemaker-imageversion.json").read_text())
BASE = {"ImageName": "training", "BaseImage": "repo:1.0"}

# The template's Conditions, as the rules read them.
CONDITIONS = {
    "Gpu": {"Fn::Equals": [{"Ref": "UseGpu"}, "true"]},
    "Cpu": {"Fn::Not": [{"Condition": "Gpu"}]},
    "NoGpu": {"Fn::Not": [{"Fn::Equals": [{"Ref": "UseGpu"}, "true"]}]},
    "Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "Dev": {"Fn::Equals": ["dev", {"Ref": "Env"}]},
    "Staging": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
    "Either": {"Fn::Or": [{"Condition": "Gpu"}, {"Condition": "Cpu"}]},
}


def test_a_value_inside_an_intrinsic_function_is_left_to_cloudformation():
    properties = {**BASE, "Aliases": [{"Fn::If": ["Prod", ".bad", "ok"]}, ".bad"]}
    assert is_computed(properties, ["Aliases", 0])
    assert is_computed({"Aliases": {"Fn::Split": [",", "a,b"]}}, ["Aliases", 3])
    assert not is_computed(properties, ["Aliases", 1])
    assert [path for path, _ in property_problems(properties, SCHEMA)] == [["Aliases", 1]]


def test_one_image_is_the_same_literal_up_to_case_or_the_same_function():
    resources: dict[str, dict[str, Any]] = {
        "A": {"ImageName": "Training", "Aliases": ["stable"]},
        "B": {"ImageName": "training", "Alias": "stable"},
        "C": {"ImageName": {"Ref": "Name"}, "Aliases": ["stable"]},
        "D": {"ImageName": {"Ref": "Name"}, "Aliases": ["stable", "beta"]},
        "E": {"ImageName": {"Ref": "Other"}, "Aliases": ["stable"]},
    }
    found = [path for path, _ in shared_alias_problems(resources)]
    assert found == [["B", "Properties", "Alias"], ["D", "Properties", "Aliases", 0]]


def test_only_literal_aliases_are_claimed():
    properties = {"Aliases": ["a", {"Ref": "X"}, "b"], "Alias": {"Ref": "Y"}}
    assert list(claimed_aliases(properties)) == [(["Aliases", 0], "a"), (["Aliases", 2], "b")]


def test_get_att_on_other_resources_or_in_either_form_is_judged_right():
    found: list[tuple[list[str | int], Any]] = [
        (["Outputs", "A"], ["V", "Version"]),
        (["Outputs", "B"], "V.Nope"),
        (["Outputs", "C"], ["Other", "Nope"]),
        (["Outputs", "D"], ["V", {"Ref": "Attribute"}]),
    ]
    assert [path for path, _ in get_att_problems(iter(found), {"V"}, SCHEMA)] == [["Outputs", "B"]]


def test_an_unknown_property_is_reported_whatever_its_value():
    properties = {**BASE, "Colour": {"Ref": "Colour"}}
    assert [path for path, _ in property_problems(properties, SCHEMA)] == [["Colour"]]
    assert list(property_problems({"Fn::If": ["Prod", BASE, {}]}, SCHEMA)) == []


def test_a_repeated_alias_is_reported_exactly_where_the_handler_refuses_it():
    # imported here: the handler package's name sorts on either side of cfn_lint_rules once
    # make namespace renames it
    from community_sagemaker_imageversion.validation import raw_problems  # noqa: PLC0415

    cases = [
        ["stable", "latest", "stable"],
        ["stable", "Stable"],
        ["a", {"Ref": "X"}, {"Ref": "X"}, "a"],
        ["a", "b", "c"],
        [],
    ]
    for aliases in cases:
        properties = {**BASE, "Aliases": aliases}
        linted = [path for path, _ in repeated_alias_problems(properties)]
        refused = [p for p in raw_problems(properties) if "more than once" in p]
        assert len(linted) == len(refused), aliases
    properties = {**BASE, "Aliases": ["stable", "latest", "stable"]}
    assert [path for path, _ in property_problems(properties, SCHEMA)] == [["Aliases", 2]]


def test_versions_of_one_image_are_put_in_one_chain_in_the_order_their_dependencies_allow():
    resources: dict[str, dict[str, Any]] = {
        "A": {"ImageName": "training"},
        "B": {"ImageName": "Training"},
        "C": {"ImageName": "training"},
        "D": {"ImageName": "inference"},
        "E": {"ImageName": {"Ref": "Name"}},
        "F": {"ImageName": {"Ref": "Name"}},
        "G": {"BaseImage": "repo:1.0"},
    }
    # C after A; F after E through another resource; B free; D alone: B goes at the end of the
    # chain A, C (one edit), not between them (two)
    dependencies = {"C": {"A"}, "F": {"Between"}, "Between": {"E"}}
    assert list(unordered_versions(resources, dependencies)) == [("B", "C")]
    # B after A as well: only C and B are left unordered
    dependencies["B"] = {"A"}
    assert list(unordered_versions(resources, dependencies)) == [("C", "B")]
    # B after C: A, C, B is one chain
    dependencies["B"] = {"C"}
    assert list(unordered_versions(resources, dependencies)) == []
    # a chain already there is followed, not cut: one edit joins the version left out to its end
    chain: dict[str, dict[str, Any]] = {n: {"ImageName": "training"} for n in ("A", "AA", "B", "C")}
    assert list(unordered_versions(chain, {"B": {"A"}, "C": {"B"}})) == [("AA", "C")]
    # a cycle (cfn-lint reports it: E3004) is no crash
    cyclic = {"A": {"B"}, "B": {"A"}}
    assert list(unordered_versions({"A": resources["A"], "B": resources["B"]}, cyclic)) == []


@given(
    st.integers(min_value=1, max_value=7).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.sets(
                st.tuples(st.integers(0, n + 1), st.integers(0, n + 1)).filter(
                    lambda e: e[0] > e[1]
                )
            ),
            st.lists(
                st.sampled_from([None, None, "Gpu", "Cpu", "NoGpu", "Prod", "Dev", "Either"]),
                min_size=n + 2,
                max_size=n + 2,
            ),
        )
    )
)
def test_adding_each_suggested_dependency_leaves_one_chain_and_no_cycle(
    case: tuple[int, set[tuple[int, int]], list[str | None]],
) -> None:
    versions, edges, drawn = case
    # versions 0..n-1 of one image, and two resources of other types (n and n + 1); an edge
    # (a, b) with a > b keeps the graph acyclic; each resource under the condition drawn for it
    resources = {f"R{i}": {"ImageName": "training"} for i in range(versions)}
    conditions = {f"R{i}": c for i, c in enumerate(drawn) if c is not None}
    dependencies: dict[str, set[str]] = {}
    for after, before in edges:
        dependencies.setdefault(f"R{after}", set()).add(f"R{before}")
    suggested = list(unordered_versions(resources, dependencies, conditions, CONDITIONS))
    if not conditions:
        assert len(suggested) <= versions - 1
    for later, earlier in suggested:
        assert not never_together(
            conditions.get(later, ""), conditions.get(earlier, ""), CONDITIONS
        )
        # a DependsOn, or a Ref under Fn::If on the earlier one's condition: an edge either way
        dependencies.setdefault(later, set()).add(earlier)
    assert list(unordered_versions(resources, dependencies, conditions, CONDITIONS)) == []
    # whichever way the conditions come out, the versions that exist are ordered two by two
    others = [f"R{versions}", f"R{versions + 1}"]
    for left_out in existing_together(resources, conditions, CONDITIONS, others):
        kept = {k: v - left_out for k, v in dependencies.items() if k not in left_out}
        existing = sorted(set(resources) - left_out)
        for first, second in itertools.combinations(existing, 2):
            assert first in reachable(second, kept) or second in reachable(first, kept)
    # no cycle: no resource depends on itself, through any path
    for start in dependencies:
        assert start not in reachable(start, dependencies)


def test_a_pattern_means_to_lint_what_it_means_to_the_handler():
    """JSON Schema's patterns are ECMA-262's: Python's \\d takes Arabic-Indic digits and its $
    matches before a final newline, so Python's meaning would pass what the handler refuses."""
    from community_sagemaker_imageversion import ecma_regex  # noqa: PLC0415
    from community_sagemaker_imageversion.validation import (  # noqa: PLC0415
        STRING_RULES,
        string_problems,
    )

    refused = ["PyTorch \u0662.\u0663", "training-image\n", "stable\n", "\u2028"]
    cases = [
        ("MLFramework", "PyTorch \u0662.\u0663"),
        ("ImageName", "training-image\n"),
        ("Alias", "stable\n"),
        ("BaseImage", "\u2028"),
        ("MLFramework", "PyTorch 2.3"),
        ("ImageName", "training-image"),
    ]
    for name, value in cases:
        by_handler = string_problems(name, value, STRING_RULES[name])
        assert [p for p in by_handler if "(pattern)" in p] == by_handler
        assert bool(by_handler) == (value in refused), value
        linted = [path for path, _ in property_problems({**BASE, name: value}, SCHEMA)]
        assert linted == ([[name]] if by_handler else []), value
    # the handler's own translation, not a second one
    translation = inspect.getsourcefile(schema_regex.__wrapped__)
    assert translation == str(Path(ecma_regex.__file__).resolve())


def test_each_patterned_property_of_the_schema_has_words_for_its_pattern():
    patterned = {}
    for name, definition in SCHEMA["properties"].items():
        for rule in (definition, definition.get("items", {})):
            if "pattern" in rule:
                patterned[name] = rule["pattern"]
    assert {name: words.pattern for name, words in PATTERN_WORDS.items()} == patterned
    for name, words in PATTERN_WORDS.items():
        assert name in words.words
        assert words.pattern not in words.words


def test_a_broken_pattern_is_said_in_words_unless_the_schema_has_another_pattern():
    properties = {**BASE, "ImageName": "training-image\n", "Aliases": ["ok", ".hidden"]}
    assert list(property_problems(properties, SCHEMA)) == [
        (
            ["Aliases", 1],
            f"Aliases/1: '.hidden' is not allowed: {PATTERN_WORDS['Aliases'].words}"
            " (schema rule pattern)",
        ),
        (
            ["ImageName"],
            f"ImageName: 'training-image\\n' is not allowed:"
            f" {PATTERN_WORDS['ImageName'].words} (schema rule pattern)",
        ),
    ]
    # words said for another pattern would be wrong: the pattern is shown instead
    other = json.loads(json.dumps(SCHEMA))
    other["properties"]["ImageName"]["pattern"] = "^[a-z]+$"
    assert list(property_problems({**BASE, "ImageName": "Training"}, other)) == [
        (["ImageName"], "ImageName: 'Training' does not match '^[a-z]+$' (schema rule pattern)")
    ]


# Values the words of PATTERN_WORDS allow, and values they refuse, per property.
ARN = "arn:aws:sagemaker:us-east-1:123456789012"
SAID_IN_WORDS = {
    "ImageName": (["a", "A9", "a-b.c"], ["-a", "a-", "a--b", "a.-b", "a_b", "a b"]),
    "Alias": (["a", "1.0", "a-_.", "_a"], [".a", "-a", "a b", "a/b", ""]),
    "MLFramework": (
        ["PyTorch 2.3", "Python3.11.4"],
        ["PyTorch", "PyTorch 2", "PyTorch 2.3.4.5", "Py Torch 2.3", "PyTorch  2.3", "2.3"],
    ),
    "BaseImage": (["x", "\nx"], ["", "\n", "\r\u2028\u2029"]),
    "ReleaseNotes": (["", "\n", "anything"], []),
    "ImageArn": (
        [f"{ARN}:image/a-b", "arn:aws-us-gov:sagemaker::123456789012:image/a"],
        [f"{ARN}:image/-a", "arn:aws:sagemaker:US:123456789012:image/a", f"{ARN}1:image/a"],
    ),
    "ImageVersionArn": ([f"{ARN}:image-version/a/12"], [f"{ARN}:image-version/a/x"]),
}


def test_the_words_say_what_the_pattern_allows():
    for name, (allowed, refused) in SAID_IN_WORDS.items():
        regex = schema_regex(PATTERN_WORDS[name].pattern)
        assert [v for v in allowed if regex.search(v) is None] == [], name
        assert [v for v in refused if regex.search(v) is not None] == [], name


def test_get_att_through_sub_is_found_in_either_form_unless_a_variable_stands_for_it():
    at: list[str | int] = ["Outputs", "A", "Value", "Fn::Sub"]
    subs: list[tuple[list[str | int], Any]] = [
        (at, "${V.Version} and ${ V.Nope }, not ${!V.Escaped} nor ${AWS::Region} nor ${V}"),
        (at, ["${V.Nope}-${Other.Nope}", {"Unused": "x"}]),
        (at, ["${V.Nope}", {"V.Nope": "a variable stands for the whole reference"}]),
        (at, ["${V.Nope}", {"V": "a variable named as the resource leaves its attributes"}]),
        (at, [{"Ref": "Text"}, {}]),
    ]
    listed = [*at, 0]
    assert list(sub_get_atts(iter(subs))) == [
        (at, "V.Version"),
        (at, "V.Nope"),
        (listed, "V.Nope"),
        (listed, "Other.Nope"),
        (listed, "V.Nope"),
    ]
    problems = list(get_att_problems(sub_get_atts(iter(subs[:1])), {"V"}, SCHEMA, "Fn::Sub"))
    assert [message.split(":")[0] for _, message in problems] == ["Sub ${V.Nope}"]


def test_versions_under_conditions_are_compared_unless_they_never_exist_together():
    both = {"ImageName": "training", "Aliases": ["stable"]}

    def compared(first: str | None, second: str | None) -> bool:
        conditions = {n: c for n, c in (("A", first), ("B", second)) if c is not None}
        problems = shared_alias_problems({"A": both, "B": both}, conditions, CONDITIONS)
        return [path for path, _ in problems] == [["B", "Properties", "Aliases", 0]]

    # both exist whenever the condition(s) hold, whichever of them carries one
    for first, second in [
        (None, "Gpu"),
        ("Gpu", None),
        ("Gpu", "Gpu"),
        ("Gpu", "Prod"),  # two parameters
        ("Prod", "Staging"),  # two parameters equal to one value
        ("Gpu", "Either"),  # no simple proof
        ("Gpu", "Undefined"),
    ]:
        assert compared(first, second), (first, second)
        assert compared(second, first), (second, first)
    # never together: one is the Fn::Not of the other, by name or literally, or one parameter
    # would equal two different values
    for first, second in [("Gpu", "Cpu"), ("Gpu", "NoGpu"), ("Prod", "Dev")]:
        assert not compared(first, second), (first, second)
        assert not compared(second, first), (second, first)
    # each alias shared is said once, whichever ways of the conditions share it
    two = {"ImageName": "training", "Aliases": ["stable", "latest"]}
    problems = shared_alias_problems({"A": two, "B": two, "C": two}, {"C": "Gpu"}, CONDITIONS)
    assert [path[:1] + path[2:] for path, _ in problems] == [
        ["B", "Aliases", 0],
        ["B", "Aliases", 1],
        ["C", "Aliases", 0],
        ["C", "Aliases", 1],
    ]


def test_a_version_under_a_condition_is_ordered_after_those_without_whatever_their_names():
    versions = {name: {"ImageName": "training"} for name in ("A", "B", "C", "D", "E")}
    # A and E under Gpu, C under Cpu (never with A or E), D under Prod, B under none; no
    # dependencies yet
    conditions = {"A": "Gpu", "C": "Cpu", "D": "Prod", "E": "Gpu"}
    dependencies: dict[str, set[str]] = {}
    pairs = list(unordered_versions(versions, dependencies, conditions, CONDITIONS))
    # B goes first, as it exists whenever any of them does (A, named before it, goes after it),
    # then those under one condition together; D follows C under Cpu, and E under Gpu
    assert pairs == [("C", "B"), ("D", "C"), ("A", "B"), ("E", "A"), ("D", "E")]
    # once each pair is ordered (a DependsOn, or a Ref under Fn::If: an edge either way)
    for later, earlier in pairs:
        dependencies.setdefault(later, set()).add(earlier)
    assert list(unordered_versions(versions, dependencies, conditions, CONDITIONS)) == []


def test_a_path_through_a_resource_that_may_not_exist_orders_nothing():
    versions = {name: {"ImageName": "training"} for name in ("V1", "V2")}
    through = {"V2": {"Wait"}, "Wait": {"V1"}}
    assert list(unordered_versions(versions, through, {"Wait": "Gpu"}, CONDITIONS)) == [
        ("V2", "V1")
    ]
    assert list(unordered_versions(versions, through, {}, CONDITIONS)) == []


def test_the_suggestion_is_a_ref_under_fn_if_where_dependson_cannot_name_the_version():
    assert unordered_message("V2", "V1", None, None).endswith("add DependsOn: V1")
    assert unordered_message("V2", "V1", ["X"], None).endswith("add V1 to its DependsOn")
    assert unordered_message("V2", "V1", None, "Gpu").endswith(
        "V1 exists only when condition Gpu holds, so DependsOn cannot name it: add to V2's"
        " Metadata a Ref that applies only then, such as AfterV1: !If [Gpu, !Ref V1,"
        " !Ref AWS::NoValue]"
    )
