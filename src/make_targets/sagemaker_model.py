"""`make generate`: SageMaker's service model trimmed to the operations the handler calls.

A client built from botocore's own SageMaker model parses about 3,200 shapes and 425 operations
(394 KB compressed) in every cold process, though the handler makes 8 kinds of call. This writes
the pinned botocore's ``sagemaker`` ``service-2`` model with only those operations, the shapes
they reach, and every exception shape of the service (botocore turns any error code that names
one into its class, whatever the operation, so errors parse exactly as with the full model), into
``src/community_sagemaker_imageversion/botocore_data/sagemaker/<api-version>/service-2.json``.
Everything else is kept as botocore has it: the metadata (API version, endpoint prefix, protocol,
signing name), the service documentation, each kept operation and shape.

``clients.py`` puts ``botocore_data/`` first on its own session's loader search path, so its
SageMaker clients load this file; what the folder does not hold (the endpoint rule set,
paginators, waiters, any ``sdk-extras``) the loader finds in botocore's own data, as before.
Plain JSON rather than ``.json.gz``: botocore loads either in the same time (measured), and
plain JSON is the same bytes whatever zlib the machine has, so ``make generate-check`` compares
it with ``git diff`` anywhere.

    PYTHONPATH=src python -m make_targets.sagemaker_model
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from botocore.loaders import Loader

from community_sagemaker_imageversion.clients import BOTOCORE_DATA

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(BOTOCORE_DATA)
SERVICE = "sagemaker"
TYPE_NAME = "service-2"

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


def load_full_model(loader: Loader, version: str) -> dict[str, Any]:
    """The service model file as botocore ships it (without any sdk-extras, which botocore's
    loader merges into the trimmed model from its own data, as into the full one)."""
    model: dict[str, Any] = loader.load_data(f"{SERVICE}/{version}/{TYPE_NAME}")
    return model


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


def generate(loader: Loader | None = None) -> tuple[Path, str]:
    """Where the trimmed model goes (relative to ``DATA_DIR``), and its text."""
    loader = loader or botocore_loader()
    version = api_version(loader)
    text = render(trim(load_full_model(loader, version), OPERATIONS))
    return Path(SERVICE, version, f"{TYPE_NAME}.json"), text


def write(data_dir: Path, relative: Path, text: str) -> Path:
    """``data_dir`` holding exactly the one file (a model of another API version is removed)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    path = data_dir / relative
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    relative, text = generate()
    path = write(DATA_DIR, relative, text)
    print(f"Generated {path.relative_to(ROOT)} from botocore's {SERVICE} model")


if __name__ == "__main__":
    main()
