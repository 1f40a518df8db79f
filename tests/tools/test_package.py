"""`cfn submit --dry-run` builds a registration package with the handler and nothing else.

It runs in a copy of the project, so the working tree gets no build/ or zip from the tests.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest

from make_targets.packaging import build_package
from make_targets.sagemaker_model import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = "community_sagemaker_imageversion"
NEVER_SHIPPED = (
    "sagemaker_emulator",
    "harness",
    "offline_aws",
    "make_targets",
    "reliability_suite",
    "benchmarks",
    "tests",
    "moto",
    "pytest",
    "hypothesis",
    "flask",
    "cfnlint",
    "rpdk",
    "mypy",
    "ruff",
)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return zipfile.ZipFile(build_package(ROOT, tmp_path_factory.mktemp("project")))


def test_the_package_holds_the_schema_and_config(package):
    names = set(package.namelist())
    assert {"schema.json", ".rpdk-config", "ResourceProvider.zip"} <= names
    assert json.loads(package.read("schema.json")) == json.loads(
        (ROOT / "sagemaker-imageversion.json").read_text()
    )
    assert json.loads(package.read(".rpdk-config"))["entrypoint"] == f"{SHIPPED}.handlers.resource"


def test_the_handler_bundle_holds_the_handler_and_its_runtime_dependencies_only(package):
    bundle = zipfile.ZipFile(io.BytesIO(package.read("ResourceProvider.zip")))
    tops = {name.split("/", 1)[0] for name in bundle.namelist()}
    assert {SHIPPED, "cloudformation_cli_python_lib", "boto3", "botocore"} <= tops
    handler_files = {n for n in bundle.namelist() if n.startswith(f"{SHIPPED}/")}
    assert f"{SHIPPED}/handlers.py" in handler_files
    assert f"{SHIPPED}/models.py" in handler_files
    for name in NEVER_SHIPPED:
        assert not any(top == name or top.startswith(f"{name}-") for top in tops), name


def test_the_handler_bundle_holds_the_trimmed_sagemaker_model_as_checked_in(package):
    bundle = zipfile.ZipFile(io.BytesIO(package.read("ResourceProvider.zip")))
    shipped = {n for n in bundle.namelist() if n.startswith(f"{SHIPPED}/botocore_data/")}
    checked_in = sorted(p for p in DATA_DIR.rglob("*") if p.is_file())
    assert checked_in
    assert shipped == {f"{SHIPPED}/{p.relative_to(DATA_DIR.parent)}" for p in checked_in}
    for path in checked_in:
        assert bundle.read(f"{SHIPPED}/{path.relative_to(DATA_DIR.parent)}") == path.read_bytes()


def test_nothing_but_the_handler_package_travels_as_source(package):
    sources = [n for n in package.namelist() if n.startswith("src/")]
    assert sources
    assert all(n.startswith(f"src/{SHIPPED}/") for n in sources)
