"""`cfn submit --dry-run` builds a registration package with the handler and nothing else.

It runs in a copy of the project, so the working tree gets no build/ or zip from the tests, and
with a PATH whose first Python and pip refuse to run: the build must use the project's own.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from harness.events import handler_event
from make_targets.lambda_build import BOTOCORE_SERVICES
from make_targets.packaging import build_package
from make_targets.sagemaker_model import DATA_DIR
from offline_aws.defaults import PROCESS_CREDENTIALS, REGION, base_image
from offline_aws.services import sagemaker_server

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


# What a Python or pip found first on PATH does in the package fixture: fail loudly.
REFUSE = "#!/bin/sh\necho 'not the project Python' >&2\nexit 97\n"


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    decoys = tmp_path_factory.mktemp("decoys")
    for name in ("pip", "pip3", "pip3.12", "python", "python3", "python3.12"):
        (decoys / name).write_text(REFUSE)
        (decoys / name).chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{decoys}{os.pathsep}{os.environ['PATH']}")
        built = build_package(ROOT, tmp_path_factory.mktemp("project"))
    return zipfile.ZipFile(built)


@pytest.fixture(scope="module")
def bundle(package):
    return zipfile.ZipFile(io.BytesIO(package.read("ResourceProvider.zip")))


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


def test_the_bundle_holds_nothing_the_lambda_never_runs(bundle):
    tops = {name.split("/", 1)[0] for name in bundle.namelist()}
    assert not {"bin", "setuptools", "pkg_resources", "_distutils_hack"} & tops
    assert not [top for top in tops if top.endswith(".dist-info") or top.endswith(".pth")]
    data = [n.split("/")[2:] for n in bundle.namelist() if n.startswith("botocore/data/")]
    assert {parts[0] for parts in data if len(parts) > 1} == BOTOCORE_SERVICES
    top_files = {parts[0] for parts in data if len(parts) == 1}
    assert {"endpoints.json", "partitions.json", "sdk-default-configuration.json"} <= top_files
    assert not [n for n in bundle.namelist() if n.startswith("boto3/data/")]


def test_compiled_modules_are_built_for_the_lambda_runtime(bundle):
    runtime = json.loads((ROOT / ".rpdk-config").read_text())["runtime"]
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "") + "-x86_64-linux-gnu.so"
    compiled = [n for n in bundle.namelist() if n.endswith(".so")]
    assert compiled  # charset_normalizer ships compiled wheels: the test sees the platform
    assert all(name.endswith(tag) for name in compiled), compiled


# Runs in a Python without site-packages: only the extracted bundle is importable. Each
# operation is driven to its end as CloudFormation would (IN_PROGRESS: call again with the
# callback context); prints every final answer and where botocore came from.
SERVE_FROM_BUNDLE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import boto3, botocore
from community_sagemaker_imageversion.handlers import resource
for service in ("logs", "cloudwatch"):  # the runtime library's clients for logs and metrics
    boto3.session.Session().client(service, region_name="us-east-1")
answers = []
for event in json.load(sys.stdin):
    for _ in range(100):
        answer = resource(event, None)
        if answer["status"] != "IN_PROGRESS":
            break
        event = {**event, "callbackContext": answer["callbackContext"]}
    answers.append(answer)
print(json.dumps({"botocore": botocore.__file__, "answers": answers}))
"""


def test_the_extracted_bundle_alone_serves_every_action(bundle, tmp_path):
    bundle.extractall(tmp_path / "bundle")
    image = "PackagedImage"
    wanted = {"ImageName": image, "BaseImage": base_image("packaged:1.0"), "Aliases": ["one"]}
    arn_model = {**wanted, "ImageVersionArn": "arn-placeholder"}
    with sagemaker_server([image]) as sagemaker:
        first = _serve(
            tmp_path / "bundle", sagemaker.meta.endpoint_url, [handler_event("CREATE", wanted)]
        )
        created = first["answers"][0]["resourceModel"]
        arn_model = {**wanted, "ImageVersionArn": created["ImageVersionArn"]}
        updated = {**arn_model, "Aliases": ["two"], "JobType": "TRAINING"}
        rest = _serve(
            tmp_path / "bundle",
            sagemaker.meta.endpoint_url,
            [
                handler_event("READ", arn_model),
                handler_event("UPDATE", updated, previous=arn_model),
                handler_event("LIST", {"ImageName": image}),
                handler_event("DELETE", updated),
            ],
        )
        remaining = sagemaker.list_image_versions(ImageName=image)["ImageVersions"]
    assert first["botocore"].startswith(str(tmp_path / "bundle"))
    answers = first["answers"] + rest["answers"]
    assert [a["status"] for a in answers] == ["SUCCESS"] * 5, answers
    create, read, update, listed, _ = answers
    assert create["resourceModel"]["Version"] == 1
    assert read["resourceModel"]["Aliases"] == ["one"]
    assert update["resourceModel"]["Aliases"] == ["two"]
    assert update["resourceModel"]["JobType"] == "TRAINING"
    assert [m["ImageVersionArn"] for m in listed["resourceModels"]] == [
        arn_model["ImageVersionArn"]
    ]
    assert remaining == []


def _serve(bundle_dir, endpoint, events):
    environment = {
        "PATH": "/usr/bin:/bin",
        **PROCESS_CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
    }
    finished = subprocess.run(
        [sys.executable, "-S", "-c", SERVE_FROM_BUNDLE, str(bundle_dir)],
        input=json.dumps(events),
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(finished.stdout.splitlines()[-1])
