"""`make generate`: SageMaker's service model trimmed to the operations the handler calls, and
botocore's endpoint data trimmed to SageMaker's.

A client built from botocore's own SageMaker model parses about 3,200 shapes and 425 operations
(394 KB compressed) in every cold process, though the handler makes 8 kinds of call. This writes
the pinned botocore's ``sagemaker`` ``service-2`` model with only those operations, the shapes
they reach, and every exception shape of the service (botocore turns any error code that names
one into its class, whatever the operation, so errors parse exactly as with the full model), into
``src/community_sagemaker_imageversion/botocore_data/sagemaker/<api-version>/service-2.json``.
Everything else is kept as botocore has it: the metadata (API version, endpoint prefix, protocol,
signing name), the service documentation, each kept operation and shape.

Every cold process that builds a client also parses botocore's ``endpoints.json`` (730 KB, every
service of every partition: about a tenth of a cold start). Of it a SageMaker client reads its
partitions and the one service its model's ``endpointPrefix`` names (``api.sagemaker``); this
writes ``botocore_data/endpoints.json`` with each partition whole but that service only.

``clients.py`` puts ``botocore_data/`` first on its own session's loader search path, so its
SageMaker clients load these files; what the folder does not hold (the endpoint rule set,
partitions, paginators, waiters, any ``sdk-extras``) the loader finds in botocore's own data, as
before.
Plain JSON rather than ``.json.gz``: botocore loads either in the same time (measured), and
plain JSON is the same bytes whatever zlib the machine has, so ``make generate-check`` compares
it with ``git diff`` anywhere.

    PYTHONPATH=src python -m make_targets.sagemaker_model
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from botocore.loaders import Loader

from community_sagemaker_imageversion.clients import BOTOCORE_DATA, SERVICE

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(BOTOCORE_DATA)
TYPE_NAME = "service-2"
ENDPOINTS = "endpoints"

# Every SageMaker operation sagemaker_calls.py makes (tests/tools/test_sagemaker_model.py holds
# this to what the shipped package calls).
OPERATIONS = (
    "CreateImageVersion",
    "DescribeImageVersion",
    "UpdateImageVersion",
    "DeleteImageVersion",
    "ListImageVersions",
    "ListAliases",
    "DescribeImage",
    "ListImages",
)


class ModelError(Exception):
    """The pinned botocore's model lacks something the trimmed model needs."""


def botocore_loader() -> Loader:
    """A loader of botocore's own data only (no ~/.aws/models, no AWS_DATA_PATH)."""
    return Loader(extra_search_paths=[Loader.BUILTIN_DATA_PATH], include_default_search_paths=False)


def api_version(loader: Loader) -> str:
    """The API version a client of the service gets when it names none."""
    return loader.determine_latest_version(SERVICE, TYPE_NAME)


def as_shipped(loader: Loader, name: str) -> dict[str, Any]:
    """The data file ``name`` as botocore ships it, parsed here: botocore's endpoint resolver
    writes into the endpoint data its loader returns, and a process may share one parse between
    loaders (the tests do, ``harness.parsed_data``)."""
    _, path = loader.load_data_with_path(name)
    for extension, opener in ((".json", open), (".json.gz", gzip.open)):
        try:
            with opener(path + extension, "rb") as file:
                data: dict[str, Any] = json.loads(file.read().decode("utf-8"))
                return data
        except FileNotFoundError:
            continue
    raise ModelError(f"botocore's loader found {name} at {path}, but no such file is there")


def load_full_model(loader: Loader, version: str) -> dict[str, Any]:
    """The service model file as botocore ships it (without any sdk-extras, which botocore's
    loader merges into the trimmed model from its own data, as into the full one)."""
    return as_shipped(loader, f"{SERVICE}/{version}/{TYPE_NAME}")


def trim_endpoints(endpoints: Mapping[str, Any], endpoint_prefix: str) -> dict[str, Any]:
    """botocore's endpoint data with, in each partition, only the service ``endpoint_prefix``
    names (every other key of the file and of each partition as it is)."""
    partitions = [
        {
            **partition,
            "services": {
                name: service
                for name, service in partition["services"].items()
                if name == endpoint_prefix
            },
        }
        for partition in endpoints["partitions"]
    ]
    if not any(partition["services"] for partition in partitions):
        raise ModelError(f"no partition of botocore's {ENDPOINTS} names {endpoint_prefix}")
    return {**endpoints, "partitions": partitions}


def operation_references(operation: Mapping[str, Any]) -> list[str]:
    """The shapes an operation names: its input, output and errors."""
    refs = [operation[key]["shape"] for key in ("input", "output") if key in operation]
    return refs + [error["shape"] for error in operation.get("errors", [])]


def shape_references(shape: Mapping[str, Any]) -> list[str]:
    """The shapes a shape names: a structure's members, a list's member, a map's key and value."""
    refs = [shape[key]["shape"] for key in ("member", "key", "value") if key in shape]
    return refs + [member["shape"] for member in shape.get("members", {}).values()]


def closure(shapes: Mapping[str, Mapping[str, Any]], roots: Iterable[str]) -> set[str]:
    """``roots`` and every shape they reach."""
    reached: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        if name not in shapes:
            raise ModelError(f"shape {name} is referenced but not defined")
        reached.add(name)
        pending.extend(shape_references(shapes[name]))
    return reached


def trim(model: Mapping[str, Any], operations: Iterable[str]) -> dict[str, Any]:
    """``model`` with only ``operations``, the shapes they reach and the exception shapes; every
    other key, and each kept operation and shape, as it is (in botocore's order)."""
    wanted = set(operations)
    missing = wanted - set(model["operations"])
    if missing:
        raise ModelError(f"operations not in botocore's {SERVICE} model: {sorted(missing)}")
    shapes: Mapping[str, Mapping[str, Any]] = model["shapes"]
    roots = [
        ref for name in sorted(wanted) for ref in operation_references(model["operations"][name])
    ]
    roots += [name for name, shape in shapes.items() if shape.get("exception")]
    kept = closure(shapes, roots)
    trimmed = dict(model)
    trimmed["operations"] = {n: op for n, op in model["operations"].items() if n in wanted}
    trimmed["shapes"] = {n: shape for n, shape in shapes.items() if n in kept}
    return trimmed


def render(model: Mapping[str, Any]) -> str:
    """The file's text: the same for the same model, whatever the machine."""
    return json.dumps(model, indent=1, ensure_ascii=False) + "\n"


def generate(loader: Loader | None = None) -> dict[Path, str]:
    """Each file the folder holds (relative to ``DATA_DIR``), and its text."""
    loader = loader or botocore_loader()
    version = api_version(loader)
    model = load_full_model(loader, version)
    endpoints = trim_endpoints(as_shipped(loader, ENDPOINTS), model["metadata"]["endpointPrefix"])
    return {
        Path(SERVICE, version, f"{TYPE_NAME}.json"): render(trim(model, OPERATIONS)),
        Path(f"{ENDPOINTS}.json"): render(endpoints),
    }


def write(data_dir: Path, files: Mapping[Path, str]) -> list[Path]:
    """``data_dir`` holding exactly ``files`` (a model of another API version is removed)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    written = []
    for relative, text in files.items():
        path = data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    for path in write(DATA_DIR, generate()):
        print(f"Generated {path.relative_to(ROOT)} from the pinned botocore's data")


if __name__ == "__main__":
    main()
