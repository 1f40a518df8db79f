"""Check templates that use Community::SageMaker::ImageVersion: cfn-lint, plus our schema.

cfn-lint (1.58) loads private types with ``--registry-schemas`` but then validates neither their
properties nor their GetAtt attributes: a template with ``Processor: TPU`` passes. This check runs
cfn-lint with the schema loaded (template structure, Refs, every AWS resource) and then validates
each resource of our type itself: literal property values against the schema (intrinsic functions
are left to CloudFormation), every GetAtt against the schema's read-only properties, and that no
two resources claim the same alias of one image (an alias names one version at a time: each
would take it from the other, and one of them would drift).

``python -m make_targets.template_check TEMPLATE...`` exits 1 and prints each problem.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from cfnlint.decode import decode
from jsonschema import Draft7Validator

SCHEMA_FILE = Path("sagemaker-imageversion.json")
IMAGE_TYPE = "AWS::SageMaker::Image"


def _is_intrinsic(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and len(value) == 1
        and (next(iter(value)) == "Ref" or str(next(iter(value))).startswith("Fn::"))
    )


def _computed(properties: Any, path: Iterator[Any]) -> bool:
    """Whether ``path`` into ``properties`` crosses an intrinsic function (a value CloudFormation
    computes at deploy time, which only CloudFormation can check)."""
    node = properties
    for step in path:
        if _is_intrinsic(node):
            return True
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
    return _is_intrinsic(node)


def _get_atts(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "Fn::GetAtt":
                target = value.split(".", 1) if isinstance(value, str) else value
                if isinstance(target, list) and len(target) == 2:
                    yield str(target[0]), str(target[1])
            yield from _get_atts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _get_atts(item)


def schema_problems(template: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """What our schema says is wrong with the template's resources of our type."""
    type_name = schema["typeName"]
    resource_schema = {k: v for k, v in schema.items() if k not in ("handlers",)}
    validator = Draft7Validator(resource_schema)
    resources = template.get("Resources", {})
    ours = {
        n for n, r in resources.items() if isinstance(r, Mapping) and r.get("Type") == type_name
    }
    problems = []
    for name in sorted(ours):
        properties = resources[name].get("Properties", {})
        errors = validator.iter_errors(properties)
        for error in sorted(errors, key=lambda e: [str(p) for p in e.path]):
            if _computed(properties, iter(error.path)):
                continue
            where = "/".join(str(p) for p in error.path) or "Properties"
            problems.append(f"{name}.{where}: {error.message}")
    images = {
        n for n, r in resources.items() if isinstance(r, Mapping) and r.get("Type") == IMAGE_TYPE
    }
    for name in sorted(ours):
        image_name = resources[name].get("Properties", {}).get("ImageName")
        if isinstance(image_name, Mapping) and image_name.get("Ref") in images:
            problems.append(
                f"{name}.ImageName: Ref {image_name['Ref']} gives the image's ARN, not its name;"
                " use the name itself (a parameter or literal) with DependsOn on the image"
            )
    problems += _shared_aliases({name: resources[name].get("Properties", {}) for name in ours})
    attributes = {pointer.rsplit("/", 1)[-1] for pointer in schema["readOnlyProperties"]}
    for target, attribute in _get_atts(template):
        if target in ours and attribute not in attributes:
            problems.append(
                f"GetAtt {target}.{attribute}: {type_name} has no attribute {attribute!r}"
                f" (attributes: {', '.join(sorted(attributes))})"
            )
    return problems


def _claimed_aliases(properties: Mapping[str, Any]) -> set[str]:
    """The literal aliases a resource claims (Aliases and Alias; computed ones are unknown)."""
    listed = properties.get("Aliases")
    claimed = {a for a in listed if isinstance(a, str)} if isinstance(listed, list) else set()
    if isinstance(properties.get("Alias"), str):
        claimed.add(properties["Alias"])
    return claimed


def _image_key(image_name: Any) -> str:
    """Two resources name one image when their ImageName is the same literal (up to case, as
    SageMaker's image names are unique case-insensitively) or the same intrinsic function."""
    if isinstance(image_name, str):
        return image_name.lower()
    return json.dumps(image_name, sort_keys=True, default=str)


def _shared_aliases(resources: Mapping[str, Any]) -> list[str]:
    claims: dict[tuple[str, str], list[str]] = {}
    for name, properties in sorted(resources.items()):
        if not isinstance(properties, Mapping) or "ImageName" not in properties:
            continue
        for alias in _claimed_aliases(properties):
            claims.setdefault((_image_key(properties["ImageName"]), alias), []).append(name)
    return [
        f"{' and '.join(names)} all claim alias {alias!r} of one image: an alias names one"
        " version at a time, so each would take it from the other"
        for (_, alias), names in sorted(claims.items(), key=lambda item: item[0][1])
        if len(names) > 1
    ]


def check(paths: list[Path]) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_text())
    problems = []
    with tempfile.TemporaryDirectory() as registry:
        (Path(registry) / SCHEMA_FILE.name).write_text(json.dumps(schema))
        lint = [
            sys.executable,
            "-c",
            "import sys; from cfnlint.runner import main; sys.exit(main())",
        ]
        lint += ["--registry-schemas", registry, "--"]
        result = subprocess.run(  # noqa: S603
            [*lint, *map(str, paths)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            problems.append(f"cfn-lint:\n{result.stdout}{result.stderr}")
    for path in paths:
        template, matches = decode(str(path))
        if template is None:
            problems.append(f"{path}: cannot be read: {matches}")
            continue
        problems += [f"{path}: {problem}" for problem in schema_problems(template, schema)]
    return problems


def main(argv: list[str]) -> int:
    problems = check([Path(p) for p in argv])
    for problem in problems:
        print(problem)
    print(f"{len(argv)} template(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
