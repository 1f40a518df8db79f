"""`make invoke` behaves like a tool: its exit code follows the handler's answer, it says plainly
when `make serve` is not running, and the example walkthrough works twice in a row against one
`make serve` (the offline services on free ports, `make invoke`'s module run as a process)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from community_sagemaker_imageversion.actions import read
from make_targets import invoke, serve
from offline_aws.services import Offline, image_names, offline_aws
from tests.ports import free_port, held

REQUESTS = Path("examples/requests")
WALKTHROUGH = ("CREATE", "READ", "UPDATE", "LIST", "DELETE")


def run_invoke(action, emulator, endpoint, state, request=None):
    request = request or REQUESTS / f"{action.lower()}.json"
    command = [sys.executable, "-m", "make_targets.invoke", action, str(request)]
    command += ["--emulator", emulator, "--endpoint", endpoint, "--state", str(state)]
    env = Offline(emulator, endpoint).cli_environment()
    return subprocess.run(
        command, check=False, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def served():
    """What `make serve` runs, on free ports."""
    images = image_names(sorted(REQUESTS.glob("*.json")))
    with offline_aws(Path.cwd(), images) as offline:
        yield offline


@pytest.mark.server
def test_the_walkthrough_works_twice_in_a_row_and_acts_on_the_version_it_created(
    served, tmp_path, capfd
):
    state = tmp_path / "state.json"
    for number in (1, 2):
        for action in WALKTHROUGH:
            done = run_invoke(action, served.emulator, served.endpoint, state)
            assert done.returncode == 0, done.stdout + done.stderr
            assert done.stdout.rstrip().endswith(f"make invoke: {action} SUCCESS")
            if action != "LIST":
                answer = invoke.last_response(done.stdout)
                assert answer is not None
                arn = (answer.get("resourceModel") or {}).get("ImageVersionArn")
                handed = json.dumps(arn) if arn else done.stdout
                assert f"image-version/exampleimage/{number}" in handed
        gone = run_invoke("READ", served.emulator, served.endpoint, state)
        assert gone.returncode == 1
        assert gone.stderr.strip().startswith("make invoke: READ FAILED NotFound:")
        assert f"exampleimage/{number}" in gone.stderr
    # `make serve`'s side: every expected NotFound answered without a library traceback.
    served_output = capfd.readouterr()
    assert "Traceback" not in served_output.out + served_output.err


@pytest.mark.server
def test_a_failed_answer_exits_non_zero_naming_the_error(served, tmp_path):
    request = tmp_path / "invalid.json"
    request.write_text(json.dumps({"desiredResourceState": {}, "previousResourceState": None}))
    done = run_invoke("CREATE", served.emulator, served.endpoint, tmp_path / "s.json", request)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("make invoke: CREATE FAILED InvalidRequest:")
    assert not (tmp_path / "s.json").exists()


def test_without_make_serve_it_says_so_in_one_line(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    done = run_invoke("CREATE", nowhere, nowhere, tmp_path / "state.json")
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "make serve" in lines[0] and nowhere in lines[0]
    assert "Unhandled exception" not in done.stderr


@pytest.mark.server
def test_a_read_before_any_create_says_to_create_first(served, tmp_path):
    done = run_invoke("READ", served.emulator, served.endpoint, tmp_path / "state.json")
    assert done.returncode == 1
    assert "{{ImageVersionArn}}" in done.stderr
    assert invoke.FIRST_CREATE in done.stderr
    assert "=== Handler input ===" not in done.stdout


@pytest.mark.parametrize(
    ("answer", "cfn_exit", "code", "line"),
    [
        ({"status": "SUCCESS"}, 0, 0, "make invoke: READ SUCCESS"),
        (
            {"status": "FAILED", "errorCode": "NotFound", "message": "gone"},
            0,
            1,
            "make invoke: READ FAILED NotFound: gone",
        ),
        ({"status": "IN_PROGRESS"}, 0, 1, "make invoke: READ IN_PROGRESS"),
    ],
)
def test_the_exit_code_follows_the_last_answer(answer, cfn_exit, code, line):
    assert invoke.verdict("READ", answer, cfn_exit) == (code, line)


def test_no_answer_keeps_cfns_exit_code_and_asks_about_make_serve():
    code, line = invoke.verdict("READ", None, 127)
    assert code == 127
    assert "make serve" in line


def test_the_last_of_several_answers_is_read():
    output = (
        'Resource schema is valid.\n=== Handler response ===\n{\n  "status": "IN_PROGRESS"\n}\n'
        '=== Handler input ===\n{}\n=== Handler response ===\n{\n  "status": "SUCCESS"\n}\n'
    )
    assert invoke.last_response(output) == {"status": "SUCCESS"}
    assert invoke.last_response("=== Unhandled exception ===\n") is None


def test_only_a_successful_create_is_remembered(tmp_path):
    state = tmp_path / "state.json"
    model = {"resourceModel": {"ImageVersionArn": "arn:x/3"}}
    invoke.remember(state, "UPDATE", {"status": "SUCCESS", **model})
    invoke.remember(state, "CREATE", {"status": "FAILED", **model})
    assert invoke.remembered_arn(state) is None
    invoke.remember(state, "CREATE", {"status": "SUCCESS", **model})
    assert invoke.remembered_arn(state) == "arn:x/3"
    assert invoke.fill_placeholder('{"a": "{{ImageVersionArn}}"}', "arn:x/3") == '{"a": "arn:x/3"}'
    invoke.forget(state)
    assert invoke.remembered_arn(state) is None
    state.write_text("not json")
    assert invoke.remembered_arn(state) is None


def test_every_example_request_but_create_and_list_names_the_placeholder():
    named = {p.name for p in REQUESTS.glob("*.json") if invoke.PLACEHOLDER in p.read_text()}
    assert named == {"read.json", "update.json", "delete.json"}


@pytest.mark.server
def test_a_real_error_stays_visible_on_make_serves_side(served, tmp_path, monkeypatch, capfd):
    def broken(step):
        raise RuntimeError("a bug in READ")

    monkeypatch.setitem(read.ACTION.phases, "read", broken)
    state = tmp_path / "state.json"
    invoke.remember(
        state, "CREATE", {"status": "SUCCESS", "resourceModel": {"ImageVersionArn": "a"}}
    )
    done = run_invoke("READ", served.emulator, served.endpoint, state)
    assert done.returncode == 1
    assert "make invoke: READ FAILED InternalFailure" in done.stderr
    captured = capfd.readouterr()
    served_output = captured.out + captured.err
    assert "Traceback" in served_output
    assert "RuntimeError: a bug in READ" in served_output


def test_a_second_make_serve_that_cannot_bind_keeps_the_running_ones_arn(tmp_path, monkeypatch):
    state = tmp_path / invoke.STATE
    state.write_text(
        '{"ImageVersionArn": "arn:aws:sagemaker:us-east-1:123456789012:image-version/a/1"}'
    )
    kept = state.read_text()
    port = free_port()
    with held(port):
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(serve, "EMULATOR_PORT", port)
        monkeypatch.setattr(serve, "LAMBDA_ENDPOINT_PORT", port)
        with pytest.raises(SystemExit):  # the server library's exit on a taken port
            serve.main()
    assert state.read_text() == kept
