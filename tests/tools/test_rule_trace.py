"""The rule trace (make_targets.rule_trace): which unknown rules each test of a pytest run
reads, from every thread, credited to the test running at the time.

The traced run is a pytest process of its own on the tests below, so that this suite's own trace
(make test writes one) is left alone."""

import json
import os
import subprocess
import sys

import pytest

from make_targets.variant_selection import ROOT, read_trace, source_hash
from sagemaker_emulator import rule_reads
from sagemaker_emulator.rules import Rules

TRACED_TESTS = """
import boto3
from hypothesis import given, strategies as st

from offline_aws.defaults import IMAGE_ROLE, REGION, base_image
from sagemaker_emulator.rules import Rules
from sagemaker_emulator.server import running_server


def test_creates_a_version_through_the_server():
    with running_server() as endpoint_url:
        sm = boto3.client("sagemaker", endpoint_url=endpoint_url, region_name=REGION)
        sm.create_image(ImageName="Traced", RoleArn=IMAGE_ROLE)
        answer = sm.create_image_version(
            ImageName="Traced", BaseImage=base_image("traced:1"), ClientToken="token"
        )
    assert answer["ImageVersionArn"].endswith("/1")


def test_touches_no_rule():
    assert sum([1, 2]) == 3


def test_reads_only_what_the_environment_chose():
    rules = Rules.from_environment()
    rules.alias_clash = "move"
    copy = rules.changed({"pagination": "offset"})
    by_hand = Rules()
    assert (rules.alias_clash, copy.pagination, by_hand.archival) == ("move", "offset", "never")
    assert copy.idempotency == "while_version_exists"


def test_validates_and_copies():
    assert Rules.from_environment().changed({}) is not None


@given(st.integers())
def test_a_property(number):
    assert number - number == 0
"""


@pytest.fixture(scope="module", params=["0", "2"], ids=["one process", "two xdist workers"])
def trace_document(tmp_path_factory, request):
    """The trace of the tests above, run in one process or by two pytest-xdist workers (whose
    parts the controller merges into one trace)."""
    folder = tmp_path_factory.mktemp("traced")
    (folder / "test_traced.py").write_text(TRACED_TESTS)
    path = folder / "trace.json"
    environment = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    environment.pop("SAGEMAKER_EMULATOR_VARIANTS", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    command += ["-n", request.param]
    command += ["-p", "make_targets.rule_trace", f"--rule-trace={path}", "test_traced.py"]
    done = subprocess.run(
        command,
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(path.read_text()), path


def test_a_read_in_a_server_thread_is_credited_to_the_test_running(trace_document):
    document, _ = trace_document
    reads = document["reads"]["test_traced.py::test_creates_a_version_through_the_server"]
    assert {"concurrency", "create_answer"} <= set(reads)


def test_every_test_run_is_in_the_trace_once(trace_document):
    document, _ = trace_document
    assert sorted(document["ran"]) == sorted(set(document["ran"]))
    assert {test.split("[")[0] for test in document["ran"]} == {
        f"test_traced.py::{name}"
        for name in [
            "test_creates_a_version_through_the_server",
            "test_touches_no_rule",
            "test_reads_only_what_the_environment_chose",
            "test_validates_and_copies",
            "test_a_property",
        ]
    }


def test_a_test_that_reads_no_rule_ran_but_read_nothing(trace_document):
    document, _ = trace_document
    assert "test_traced.py::test_touches_no_rule" in document["ran"]
    assert "test_traced.py::test_touches_no_rule" not in document["reads"]
    assert document["outside_tests"] == []


def test_a_rule_the_test_set_itself_or_a_rules_built_by_hand_is_no_read(trace_document):
    document, _ = trace_document
    reads = document["reads"]["test_traced.py::test_reads_only_what_the_environment_chose"]
    assert reads == ["idempotency"]


def test_validating_and_copying_the_rules_reads_none_of_them(trace_document):
    document, _ = trace_document
    assert "test_traced.py::test_validates_and_copies" in document["ran"]
    assert "test_traced.py::test_validates_and_copies" not in document["reads"]


def test_a_property_test_is_marked_unrepeatable(trace_document):
    document, _ = trace_document
    assert document["unrepeatable"] == ["test_traced.py::test_a_property"]


def test_the_trace_names_the_source_tree_it_ran(trace_document):
    _, path = trace_document
    trace = read_trace(path)
    assert trace is not None
    assert trace.source_hash == source_hash(ROOT)


def test_a_block_observed_sees_the_rules_read_in_it_and_leaves_any_trace_alone():
    rules = Rules.from_environment()
    tracing = rule_reads.recording()
    with rule_reads.observed() as outer:
        assert rules.alias_clash
        with rule_reads.observed() as inner:
            assert rules.pagination
        assert Rules().archival  # (built by hand: follows no variant, so never a read)
    assert (outer, inner) == ({"alias_clash", "pagination"}, {"pagination"})
    assert rule_reads.recording() == tracing
    assert rules.idempotency  # read outside: observed by nobody
    assert outer == {"alias_clash", "pagination"}
