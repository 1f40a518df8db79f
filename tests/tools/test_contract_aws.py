"""`make contract-aws`: what it needs before any call, and the order of its steps, with stand-ins
for the AWS CLI, the SAM CLI and cfn that record how they were called."""

import os
import stat
import sys
from pathlib import Path

import pytest

from make_targets import contract_aws
from offline_aws.defaults import LAMBDA_ENDPOINT_PORT
from tests.ports import free_port, held

RECORDER = """#!{python}
import os, socket, sys, time
with open({log!r}, "a") as log:
    log.write({name!r} + " " + " ".join(sys.argv[1:]) + "\\n")
if {name!r} == "sam":
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])))
    server.listen()
    time.sleep(60)
sys.exit(int(os.environ.get("EXIT_" + {name!r}.upper(), "0")))
"""


@pytest.fixture(autouse=True)
def _a_lambda_port_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test checks a free port of its own for SAM's, not 3001, which `make serve` may hold
    while the tests run."""
    monkeypatch.setattr(contract_aws, "LAMBDA_PORT", free_port())


@pytest.fixture
def tools(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of stand-ins (aws, sam, docker, cfn) and the log they append to."""
    folder, log = tmp_path / "bin", tmp_path / "calls.log"
    folder.mkdir()
    for name in ("aws", "sam", "docker", "cfn"):
        script = folder / name
        script.write_text(RECORDER.format(python=sys.executable, log=str(log), name=name))
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder, log


def test_without_the_tools_a_region_and_a_base_image_it_names_each_and_calls_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environment = {"PATH": str(tmp_path)}
    assert contract_aws.main([], environment) == 2
    err = capsys.readouterr().err
    for needed in ("`aws`", "`sam`", "`docker`", "no region", "no base image"):
        assert needed in err


def test_a_region_from_the_environment_is_enough(tools: tuple[Path, Path]) -> None:
    folder, _ = tools
    environment = {"PATH": str(folder), "AWS_REGION": "eu-west-1"}
    assert contract_aws.missing(environment, None, "img") == []


def test_these_tests_pass_while_make_serve_holds_its_fixed_port(tools: tuple[Path, Path]) -> None:
    folder, _ = tools
    with held(LAMBDA_ENDPOINT_PORT):
        assert contract_aws.missing({"PATH": str(folder)}, "eu-west-1", "img") == []


def _builder(built: list[bool]):
    def build() -> int:
        built.append(True)
        return 0

    return build


def _plan(folder: Path, *, delete_setup: bool) -> contract_aws.Plan:
    return contract_aws.plan("eu-west-1", "img:1", str(folder / "cfn"), delete_setup=delete_setup)


def _environment(folder: Path, **exits: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", **exits}


def test_it_deploys_the_setup_stack_builds_serves_and_tests_in_that_order(
    tools: tuple[Path, Path],
) -> None:
    folder, log = tools
    plan = _plan(folder, delete_setup=True)  # sam is told the test's port
    built: list[bool] = []
    status = contract_aws.run(plan, _builder(built), _environment(folder, EXIT_CFN="3"))
    assert status == 3, "cfn test's status is the run's"
    assert built == [True]
    calls = log.read_text().splitlines()
    assert [c.split()[:3] for c in calls] == [
        ["aws", "cloudformation", "deploy"],
        ["sam", "local", "start-lambda"],
        ["cfn", "test", "--region"],
        ["aws", "cloudformation", "delete-stack"],
    ]
    assert "--template-file test/setup.yml" in calls[0]
    assert "BaseImage=img:1" in calls[0]
    assert "--no-fail-on-empty-changeset" in calls[0]
    assert all("--region eu-west-1" in call for call in calls)


def test_a_failed_deploy_stops_the_run_before_anything_is_built_or_served(
    tools: tuple[Path, Path],
) -> None:
    folder, log = tools
    built: list[bool] = []
    plan = _plan(folder, delete_setup=False)
    status = contract_aws.run(plan, _builder(built), _environment(folder, EXIT_AWS="254"))
    assert status == 254
    assert built == []
    assert [c.split()[0] for c in log.read_text().splitlines()] == ["aws"]


def test_the_setup_stack_is_kept_unless_asked() -> None:
    assert contract_aws.plan("r", "i", "cfn", delete_setup=False).delete is None
    deleting = contract_aws.plan("r", "i", "cfn", delete_setup=True).delete
    assert deleting is not None
    assert contract_aws.SETUP_STACK in deleting


def test_a_taken_lambda_port_stops_the_run_before_any_call(tools: tuple[Path, Path]) -> None:
    """With `make serve` on 3001, SAM could not bind it and cfn test would drive the offline
    endpoint: refused up front."""
    folder, _ = tools
    with held(contract_aws.LAMBDA_PORT):
        problems = contract_aws.missing({"PATH": str(folder)}, "eu-west-1", "img")
    assert len(problems) == 1
    assert "is taken" in problems[0]
