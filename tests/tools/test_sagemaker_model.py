"""`make generate` writes SageMaker's model trimmed to the operations the handler calls, and
botocore's endpoint data trimmed to SageMaker's; the shipped clients are built from them.

The checked-in files are what the generator writes from the pinned botocore, byte for byte, in
any process; the model holds every operation the shipped package calls, each with botocore's own
shapes, structure by structure; a client built from it sends the same requests and reads the
same answers as one built from botocore's full model, against the emulator; and it reaches, in
every region of every partition, plain or FIPS, the endpoint botocore's own client would, signed
for the same region and service.
"""

import ast
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import parsers, serialize, xform_name
from botocore.model import ListShape, MapShape, ServiceModel, StructureShape
from moto import mock_aws

from community_sagemaker_imageversion import clients
from community_sagemaker_imageversion.clients import SERVICE, CallerSession, sagemaker_client
from make_targets.sagemaker_model import (
    DATA_DIR,
    ENDPOINTS,
    OPERATIONS,
    ModelError,
    as_shipped,
    botocore_loader,
    generate,
    trim_endpoints,
    write,
)
from offline_aws.defaults import IMAGE_ROLE, REGION, base_image

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "community_sagemaker_imageversion"
CALLER = CallerSession("AKIATRIMMED", "trimmed-secret", "trimmed-token")
FULL_FILE = botocore_loader().load_service_model(SERVICE, "service-2")
FULL = ServiceModel(FULL_FILE, SERVICE)


@pytest.fixture(autouse=True)
def empty_cache():
    clients.CLIENTS.clear()
    yield
    clients.CLIENTS.clear()


def trimmed_client():
    return sagemaker_client(CALLER, REGION)


def trimmed_model() -> ServiceModel:
    return trimmed_client().meta.service_model


def files_under(folder: Path) -> list[Path]:
    return sorted(path.relative_to(folder) for path in folder.rglob("*") if path.is_file())


# The checked-in file and the generator


MODEL_FILE = Path(SERVICE, FULL.api_version, "service-2.json")
ENDPOINTS_FILE = Path(f"{ENDPOINTS}.json")


def test_the_checked_in_files_are_what_the_generator_writes_now():
    files = generate()
    assert sorted(files) == sorted([MODEL_FILE, ENDPOINTS_FILE])
    assert files_under(DATA_DIR) == sorted(files)
    for relative, text in files.items():
        assert (DATA_DIR / relative).read_text(encoding="utf-8") == text, relative


def _generated_in_a_fresh_process(target: Path, hash_seed: str) -> dict[Path, bytes]:
    program = (
        "import sys; from pathlib import Path; "
        "from make_targets.sagemaker_model import generate, write; "
        "write(Path(sys.argv[1]), generate())"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-c", program, str(target)], env=env, check=True)
    return {relative: (target / relative).read_bytes() for relative in files_under(target)}


def test_the_generator_writes_the_same_bytes_in_every_process(tmp_path):
    first = _generated_in_a_fresh_process(tmp_path / "first", "1")
    second = _generated_in_a_fresh_process(tmp_path / "second", "2")
    assert first == second
    assert first == {relative: (DATA_DIR / relative).read_bytes() for relative in generate()}


def test_the_generator_leaves_no_model_of_another_api_version(tmp_path):
    stale = tmp_path / SERVICE / "2010-01-01" / "service-2.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}\n")
    files = generate()
    write(tmp_path, files)
    assert files_under(tmp_path) == sorted(files)


# What the trimmed endpoint data holds

FULL_ENDPOINTS = as_shipped(botocore_loader(), ENDPOINTS)


def test_the_trimmed_endpoints_keep_every_partition_whole_but_for_other_services():
    trimmed = json.loads((DATA_DIR / ENDPOINTS_FILE).read_text(encoding="utf-8"))
    assert {k: v for k, v in trimmed.items() if k != "partitions"} == {
        k: v for k, v in FULL_ENDPOINTS.items() if k != "partitions"
    }
    assert len(trimmed["partitions"]) == len(FULL_ENDPOINTS["partitions"])
    for ours, theirs in zip(trimmed["partitions"], FULL_ENDPOINTS["partitions"], strict=True):
        assert {k: v for k, v in ours.items() if k != "services"} == {
            k: v for k, v in theirs.items() if k != "services"
        }
        prefix = FULL.endpoint_prefix
        assert ours["services"] == {k: v for k, v in theirs["services"].items() if k == prefix}
    assert trimmed["partitions"][0]["services"][FULL.endpoint_prefix]


def test_endpoint_data_without_the_service_is_refused():
    without = {"partitions": [{"partition": "aws", "services": {"s3": {}}}]}
    with pytest.raises(ModelError, match=r"api\.sagemaker"):
        trim_endpoints(without, "api.sagemaker")


# What the trimmed model holds


def _imported_names(tree: ast.Module) -> set[str]:
    return {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }


def _operations_the_package_calls() -> set[str]:
    """Every SageMaker operation whose client method the shipped package names on a variable or
    an attribute (not on a module, ``sagemaker_calls.describe_image``, nor on what a call
    returns, ``schema_regex(pattern).search``)."""
    by_method = {xform_name(name): name for name in FULL.operation_names}
    called = set()
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        modules = _imported_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in by_method
                and isinstance(node.value, ast.Name | ast.Attribute)
                and not (isinstance(node.value, ast.Name) and node.value.id in modules)
            ):
                called.add(by_method[node.attr])
    return called


def test_the_trimmed_model_holds_exactly_the_operations_the_shipped_package_calls():
    assert _operations_the_package_calls() == set(OPERATIONS)
    assert sorted(trimmed_model().operation_names) == sorted(OPERATIONS)


def assert_same_shape(ours, theirs, compared: set[str]) -> None:
    """``ours`` is ``theirs``: its traits (those of the member that names it included), and then,
    once per shape, every shape it holds, all the way down."""
    where = theirs.name
    assert (ours.name, ours.type_name) == (theirs.name, theirs.type_name), where
    assert ours._shape_model == theirs._shape_model, where
    assert ours.metadata == theirs.metadata, where
    assert ours.serialization == theirs.serialization, where
    assert ours.documentation == theirs.documentation, where
    if theirs.name in compared:
        return
    compared.add(theirs.name)
    if isinstance(theirs, StructureShape):
        assert list(ours.members) == list(theirs.members), where
        assert ours.required_members == theirs.required_members, where
        for name, member in theirs.members.items():
            assert_same_shape(ours.members[name], member, compared)
    elif isinstance(theirs, ListShape):
        assert_same_shape(ours.member, theirs.member, compared)
    elif isinstance(theirs, MapShape):
        assert_same_shape(ours.key, theirs.key, compared)
        assert_same_shape(ours.value, theirs.value, compared)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_operation_reads_and_writes_botocores_own_shapes(operation):
    relative, _ = generate()
    trimmed_file = json.loads((DATA_DIR / relative).read_text(encoding="utf-8"))
    assert trimmed_file["operations"][operation] == FULL_FILE["operations"][operation]
    ours, theirs = trimmed_model().operation_model(operation), FULL.operation_model(operation)
    assert (ours.http, ours.metadata) == (theirs.http, theirs.metadata)
    assert ours.idempotent_members == theirs.idempotent_members
    compared: set[str] = set()
    assert_same_shape(ours.input_shape, theirs.input_shape, compared)
    assert_same_shape(ours.output_shape, theirs.output_shape, compared)
    assert [e.name for e in ours.error_shapes] == [e.name for e in theirs.error_shapes]
    for our_error, their_error in zip(ours.error_shapes, theirs.error_shapes, strict=True):
        assert_same_shape(our_error, their_error, compared)


def _reached(shape, names: set[str]) -> None:
    if shape.name in names:
        return
    names.add(shape.name)
    if isinstance(shape, StructureShape):
        for member in shape.members.values():
            _reached(member, names)
    elif isinstance(shape, ListShape):
        _reached(shape.member, names)
    elif isinstance(shape, MapShape):
        _reached(shape.key, names)
        _reached(shape.value, names)


def test_the_trimmed_model_holds_those_operations_shapes_and_the_services_errors_only():
    names: set[str] = set()
    for operation in OPERATIONS:
        model = FULL.operation_model(operation)
        for shape in (model.input_shape, model.output_shape, *model.error_shapes):
            _reached(shape, names)
    for error in FULL.error_shapes:  # botocore names an error's class by code, for any operation
        _reached(error, names)
    trimmed = trimmed_model()
    assert set(trimmed.shape_names) == names
    assert [e.name for e in trimmed.error_shapes] == [e.name for e in FULL.error_shapes]
    for error in FULL.error_shapes:
        assert_same_shape(trimmed.shape_for(error.name), error, set())


def test_the_trimmed_model_keeps_botocores_metadata():
    trimmed = trimmed_model()
    assert trimmed.metadata == FULL.metadata
    assert trimmed.documentation == FULL.documentation
    described = ("api_version", "endpoint_prefix", "protocol", "signing_name", "service_id")
    for name in described:
        assert getattr(trimmed, name) == getattr(FULL, name), name
    assert (trimmed.endpoint_prefix, trimmed.signing_name) == ("api.sagemaker", "sagemaker")


# The clients built from it


def test_the_shipped_clients_load_the_trimmed_files_and_botocores_others():
    loader = trimmed_client()._loader
    version = FULL.api_version
    _, model_path = loader.load_data_with_path(f"{SERVICE}/{version}/service-2")
    _, endpoints_path = loader.load_data_with_path(ENDPOINTS)
    assert Path(model_path).parent == DATA_DIR / SERVICE / version
    assert Path(endpoints_path).parent == DATA_DIR
    for botocores in (f"{SERVICE}/{version}/endpoint-rule-set-1", "partitions", "_retry"):
        _, path = loader.load_data_with_path(botocores)
        assert loader.is_builtin_path(path), botocores


def _every_region() -> list[str]:
    return sorted(
        region for partition in FULL_ENDPOINTS["partitions"] for region in partition["regions"]
    )


def _where(client) -> tuple[str, str, str]:
    signer = client._request_signer
    return client.meta.endpoint_url, signer.region_name, signer.signing_name


@pytest.mark.parametrize("fips", ["false", "true"])
def test_a_trimmed_client_reaches_the_endpoint_botocores_own_would_in_every_region(
    fips, monkeypatch
):
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", fips)
    full_session = boto3.session.Session()
    regions = _every_region()
    assert len(regions) > 30
    for region in regions:
        clients.CLIENTS.clear()
        full = full_session.client("sagemaker", region_name=region)
        assert _where(sagemaker_client(CALLER, region)) == _where(full), region


def test_every_other_session_still_loads_botocores_full_model():
    trimmed_client()
    other = boto3.session.Session().client("sagemaker", region_name=REGION)
    assert len(other.meta.service_model.operation_names) == len(FULL.operation_names)


IMAGE = "TrimmedModelImage"
CREATED_AFTER = datetime(2020, 1, 1, tzinfo=UTC)
# Every operation, with every parameter the handler sends; the last call fails (the version is
# gone), for an error answer to be read too.
CALLS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "CreateImageVersion",
        {
            "ImageName": IMAGE,
            "BaseImage": base_image("trimmed:1"),
            "ClientToken": "trimmed-model-token",
            "Aliases": ["first"],
            "JobType": "TRAINING",
            "Horovod": True,
        },
    ),
    ("DescribeImageVersion", {"ImageName": IMAGE, "Version": 1}),
    ("DescribeImageVersion", {"ImageName": IMAGE, "Alias": "first"}),
    ("ListAliases", {"ImageName": IMAGE, "Version": 1, "MaxResults": 100}),
    (
        "UpdateImageVersion",
        {"ImageName": IMAGE, "Version": 1, "AliasesToAdd": ["second"], "ReleaseNotes": "notes"},
    ),
    (
        "ListImageVersions",
        {
            "ImageName": IMAGE,
            "MaxResults": 100,
            "SortBy": "VERSION",
            "SortOrder": "ASCENDING",
            "CreationTimeAfter": CREATED_AFTER,
        },
    ),
    ("DescribeImage", {"ImageName": IMAGE}),
    ("ListImages", {"MaxResults": 100, "SortBy": "CREATION_TIME", "SortOrder": "ASCENDING"}),
    ("DeleteImageVersion", {"ImageName": IMAGE, "Version": 1}),
    ("DescribeImageVersion", {"ImageName": IMAGE, "Version": 1}),
)


def botocore_request(operation, params):
    """The request botocore's full model makes of ``params``."""
    serializer = serialize.create_serializer(FULL.resolved_protocol)
    return serializer.serialize_to_request(params, FULL.operation_model(operation))


def botocore_answer(operation, response_dict):
    """What botocore's full model reads from an answer (an error's modelled fields included)."""
    parser = parsers.create_parser(FULL.resolved_protocol)
    output = FULL.operation_model(operation).output_shape
    assert output is not None
    parsed = parser.parse(response_dict, output)
    error = FULL.shape_for_error_code(parsed.get("Error", {}).get("Code", ""))
    if error is not None:
        parsed.update(parser.parse(response_dict, error))
    return parsed


def without_metadata(answer):
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def test_a_trimmed_client_sends_and_reads_every_operation_as_botocores_own_model():
    with mock_aws():
        boto3.client("sagemaker", region_name=REGION).create_image(
            ImageName=IMAGE, RoleArn=IMAGE_ROLE
        )
        client = trimmed_client()
        sent: list[Any] = []
        answered: list[Any] = []
        client.meta.events.register(
            "request-created.sagemaker", lambda request, **_: sent.append(request)
        )
        client.meta.events.register(
            "before-parse.sagemaker", lambda response_dict, **_: answered.append(response_dict)
        )
        answers: list[Any] = []
        for operation, params in CALLS:
            try:
                answers.append(getattr(client, xform_name(operation))(**params))
            except client.exceptions.ResourceNotFound as error:
                answers.append(error.response)

    assert {operation for operation, _ in CALLS} == set(OPERATIONS)
    assert len(sent) == len(answered) == len(CALLS)
    for (operation, params), request, response_dict, answer in zip(
        CALLS, sent, answered, answers, strict=True
    ):
        expected = botocore_request(operation, params)
        assert request.method == expected["method"], operation
        assert request.body == expected["body"], operation
        assert expected["headers"].items() <= dict(request.headers).items(), operation
        assert without_metadata(answer) == without_metadata(
            botocore_answer(operation, response_dict)
        ), operation
    assert answers[1]["ImageVersionStatus"] == "CREATED"
    assert answers[-1]["Error"]["Code"] == "ResourceNotFound"
