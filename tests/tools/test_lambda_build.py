"""The pip that `cfn submit` runs: pinned to the Lambda's runtime, then build/ trimmed."""

import os
from pathlib import Path, PurePosixPath

import pytest

from make_targets.lambda_build import is_unused, pip_arguments, prune, python_version, target_of
from make_targets.submit import LAMBDA_PIP, build_environment

PLUGIN_INSTALL = ["install", "--upgrade", "--requirement", "requirements.txt", "--target", "build"]


def test_an_install_into_a_target_is_pinned_to_the_lambda_runtime():
    arguments = pip_arguments(PLUGIN_INSTALL, "python3.11")
    assert arguments[: len(PLUGIN_INSTALL)] == PLUGIN_INSTALL
    assert set(arguments[len(PLUGIN_INSTALL) :]) == {
        "--platform=manylinux2014_x86_64",
        "--implementation=cp",
        "--python-version=3.11",
        "--abi=cp311",
        "--only-binary=:all:",
    }


@pytest.mark.parametrize("argv", [["--version"], ["install", "boto3"], ["list"], []])
def test_every_other_pip_command_passes_through(argv):
    assert pip_arguments(argv, "python3.11") == argv
    assert target_of(argv) is None


def test_the_target_is_the_folder_after_target():
    assert target_of(PLUGIN_INSTALL) == Path("build")


@pytest.mark.parametrize("runtime", ["nodejs20.x", "java17", ""])
def test_a_runtime_that_is_not_python_is_refused(runtime):
    with pytest.raises(ValueError, match="not a Python runtime"):
        python_version(runtime)


@pytest.mark.parametrize(
    ("path", "unused"),
    [
        ("bin/jp.py", True),
        ("setuptools/__init__.py", True),
        ("pkg_resources/__init__.py", True),
        ("_distutils_hack/__init__.py", True),
        ("distutils-precedence.pth", True),
        ("boto3-1.44.5.dist-info/RECORD", True),
        ("boto3/data/s3/2006-03-01/resources-1.json", True),
        ("botocore/data/ec2/2016-11-15/service-2.json.gz", True),
        ("botocore/data/sagemaker/2017-07-24/endpoint-rule-set-1.json.gz", False),
        ("botocore/data/logs/2014-03-28/service-2.json.gz", False),
        ("botocore/data/monitoring/2010-08-01/service-2.json.gz", True),
        ("botocore/data/cloudwatch/2010-08-01/service-2.json.gz", False),
        ("botocore/data/endpoints.json", False),
        ("botocore/data/partitions.json", False),
        ("botocore/client.py", False),
        ("boto3/session.py", False),
        (
            "community_sagemaker_imageversion/botocore_data/sagemaker/2017-07-24/service-2.json",
            False,
        ),
        ("six.py", False),
        ("botocore/data/ec2", True),
        ("boto3/data", True),
        ("botocore/data", False),
    ],
)
def test_what_the_lambda_never_runs(path, unused):
    assert is_unused(PurePosixPath(path)) is unused


def test_prune_removes_unused_folders_and_keeps_the_rest(tmp_path):
    kept = ["botocore/data/endpoints.json", "botocore/data/logs/v/service-2.json", "six.py"]
    removed = ["bin/jp.py", "six-1.17.0.dist-info/RECORD", "botocore/data/ec2/v/service-2.json"]
    for name in kept + removed:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert {str(p) for p in prune(tmp_path)} == {"bin", "six-1.17.0.dist-info", "botocore/data/ec2"}
    left = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert left == set(kept)


def test_the_build_finds_lambda_pip_then_the_project_python_first_on_path():
    base = {"PATH": "/opt/python3.12/bin:/usr/bin", "PYTHONPATH": "src", "HOME": "/home/x"}
    environment = build_environment(base, "/project/.venv/bin/python")
    assert environment["PATH"].split(os.pathsep) == [
        str(LAMBDA_PIP),
        "/project/.venv/bin",
        "/opt/python3.12/bin",
        "/usr/bin",
    ]
    assert environment["LAMBDA_BUILD_PYTHON"] == "/project/.venv/bin/python"
    assert "PYTHONPATH" not in environment
    assert environment["HOME"] == "/home/x"
    assert (LAMBDA_PIP / "pip").stat().st_mode & 0o111
