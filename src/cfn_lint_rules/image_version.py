"""cfn-lint rules for Community::SageMaker::ImageVersion, for ``cfn-lint --append-rules``.

cfn-lint (1.58) loads a private type's schema with ``--registry-schemas`` but then checks neither
the type's properties nor GetAtt attributes on it: ``Processor: TPU`` passes. These rules do, with
the schema cfn-lint loaded (so they check against whatever version of the schema the user gives):

- E9301: each literal property value against the schema (unknown or read-only property, missing
  required property, type, enum, pattern, length, range), and the one rule the handler adds to
  the schema: no alias listed twice in Aliases; values inside an intrinsic function are computed
  at deploy time and left to CloudFormation;
- E9302: every GetAtt on a resource of the type, and every ``${Resource.Attribute}`` of a Sub,
  names one of its attributes (read-only properties);
- E9303: no two resources that may exist together claim one alias of one image (an alias names
  one version at a time: each would take it from the other, and one of them would drift);
- E9304: ImageName is not a Ref to an AWS::SageMaker::Image (that Ref gives the image's ARN);
- W9305: versions of one image that may exist together are ordered (DependsOn, Ref or GetAtt,
  directly or through other resources): SageMaker makes one version of an image at a time, so
  versions that CloudFormation starts together wait for their turn in billed handler operations.

Two resources may exist together unless their Conditions never hold together by a simple proof
(``never_together``): one without a Condition exists with every other.

cfn-lint loads every ``*.py`` file of an ``--append-rules`` folder on its own, outside any package,
so this file imports nothing cfn-lint does not bring (its own JSON Schema validator, as it has no
dependency on ``jsonschema``), and of the project only the handler's ``ecma_regex.py``, read from
its file (beside this one, or in the checkout's handler package): patterns mean to these rules
what they mean to the handler.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Final, NamedTuple

from cfnlint.helpers import REGEX_SUB_PARAMETERS
from cfnlint.jsonschema import StandardValidator, ValidationError
from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

TYPE_NAME = "Community::SageMaker::ImageVersion"
IMAGE_TYPE = "AWS::SageMaker::Image"
HANDLER_PACKAGE = "community_sagemaker_imageversion"

Location = list[str | int]


def _handler_module(name: str) -> ModuleType:
    """The module ``name`` of the handler package, read from its file: beside this one (a copy of
    both, outside a checkout) or in the checkout's handler package (cfn-lint runs this file
    without ``src/`` on its path, so the package cannot be imported by name)."""
    here = Path(__file__).resolve().parent
    for path in (here / f"{name}.py", here.parent / HANDLER_PACKAGE / f"{name}.py"):
        if not path.is_file():
            continue
        spec = importlib.util.spec_from_file_location(f"{HANDLER_PACKAGE}.{name}", path)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ImportError(f"{name}.py of {HANDLER_PACKAGE} is neither beside {here} nor in a checkout")


if TYPE_CHECKING:
    from community_sagemaker_imageversion.casting import casts_to as casts_to  # noqa: PLC0414
    from community_sagemaker_imageversion.ecma_regex import schema_regex as schema_regex  # noqa: PLC0414
else:
    schema_regex = _handler_module("ecma_regex").schema_regex
    casts_to = _handler_module("casting").casts_to


def ecma_pattern(
    validator: Any, pattern: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """JSON Schema's ``pattern`` keyword with its ECMA-262 meaning, translated as the handler
    translates it (cfn-lint's own reads the pattern as Python's, where ``\\d`` takes any
    Unicode digit and ``$`` matches before a final newline)."""
    if isinstance(instance, str) and schema_regex(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def cloudformation_type(
    validator: Any, types: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """JSON Schema's ``type`` keyword as CloudFormation and the handler read a template's values
    (``casting``): ``"true"`` is a boolean and ``2`` a string, as CloudFormation sends both as
    text; anything else must be of the type."""
    kinds = [types] if isinstance(types, str) else list(types)
    if not any(casts_to(kind, instance) for kind in kinds):
        yield ValidationError(f"{instance!r} is not of type {', '.join(map(repr, kinds))}")


SchemaValidator = StandardValidator({}).extend(
    validators={"pattern": ecma_pattern, "type": cloudformation_type}
)


class PatternWords(NamedTuple):
    """What a pattern allows, said in words."""

    pattern: str
    words: str


_NAME = "letters (A-Z, a-z) and digits (0-9), with single hyphens or dots only between two of them"
_ALIAS = (
    "letters (A-Z, a-z), digits (0-9), hyphens, underscores and dots, not starting with a hyphen"
    " or a dot"
)
_VERSIONED = (
    "a name in letters (A-Z, a-z), an optional space, then a version: two or three numbers in"
    " digits (0-9) joined by dots"
)
_NOT_ONLY_LINE_BREAKS = r"must hold a character other than a line break (\n, \r, U+2028, U+2029)"
_ARN_PARTS = (
    "partition: aws, then any parts of a hyphen and letters, digits or underscores (aws-us-gov);"
    " region: any lower-case letters, digits and hyphens; account: 12 digits (0-9);"
    f" name: {_NAME}"
)

# Each patterned property of the schema: its pattern, and what the pattern allows in words (for a
# schema with another pattern there, lint shows that pattern itself).
PATTERN_WORDS: Final[Mapping[str, PatternWords]] = {
    "ImageName": PatternWords(r"^[A-Za-z0-9]([-.]?[A-Za-z0-9])*$", f"ImageName must be {_NAME}"),
    "BaseImage": PatternWords(r".+", f"BaseImage {_NOT_ONLY_LINE_BREAKS}"),
    "Alias": PatternWords(r"(?!^[.-])^([a-zA-Z0-9-_.]+)$", f"Alias must be {_ALIAS}"),
    "Aliases": PatternWords(
        r"(?!^[.-])^([a-zA-Z0-9-_.]+)$", f"each alias in Aliases must be {_ALIAS}"
    ),
    "MLFramework": PatternWords(
        r"^[a-zA-Z]+ ?\d+\.\d+(\.\d+)?$", f"MLFramework must be {_VERSIONED}, such as 'PyTorch 2.3'"
    ),
    "ProgrammingLang": PatternWords(
        r"^[a-zA-Z]+ ?\d+\.\d+(\.\d+)?$",
        f"ProgrammingLang must be {_VERSIONED}, such as 'Python 3.11'",
    ),
    "ReleaseNotes": PatternWords(r".*", "ReleaseNotes may be any text"),
    "ImageArn": PatternWords(
        r"^arn:aws(-[\w]+)*:sagemaker:[a-z0-9\-]*:[0-9]{12}:image\/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*$",
        "ImageArn must be an image's ARN, arn:<partition>:sagemaker:<region>:<account>:image/<name>"
        f" ({_ARN_PARTS})",
    ),
    "ImageVersionArn": PatternWords(
        r"^arn:aws(-[\w]+)*:sagemaker:[a-z0-9\-]*:[0-9]{12}:"
        r"image-version\/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*\/[0-9]+$",
        "ImageVersionArn must be an image version's ARN, arn:<partition>:sagemaker:<region>:"
        f"<account>:image-version/<name>/<version> ({_ARN_PARTS}; version: digits (0-9))",
    ),
    "ContainerImage": PatternWords(r".+", f"ContainerImage {_NOT_ONLY_LINE_BREAKS}"),
}


def pattern_message(path: Location, value: Any, pattern: Any) -> str:
    """What a value breaking the pattern of the property at ``path`` (under Properties) is told:
    what the pattern allows, in words, where PATTERN_WORDS has words for that pattern."""
    where = "/".join(str(p) for p in path)
    known = PATTERN_WORDS.get(str(path[0])) if path else None
    if known is None or known.pattern != pattern:
        return f"{where}: {value!r} does not match {pattern!r} (schema rule pattern)"
    return f"{where}: {value!r} is not allowed: {known.words} (schema rule pattern)"


def is_intrinsic(value: Any) -> bool:
    """Whether ``value`` is one intrinsic function (``Ref`` or ``Fn::...``)."""
    return (
        isinstance(value, Mapping)
        and len(value) == 1
        and (next(iter(value)) == "Ref" or str(next(iter(value))).startswith("Fn::"))
    )


def is_computed(properties: Any, path: Sequence[Any]) -> bool:
    """Whether ``path`` into ``properties`` crosses an intrinsic function (a value CloudFormation
    computes at deploy time, which only CloudFormation can check)."""
    node = properties
    for step in path:
        if is_intrinsic(node):
            return True
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return False
    return is_intrinsic(node)


def _attribute_names(schema: Mapping[str, Any]) -> set[str]:
    return {pointer.rsplit("/", 1)[-1] for pointer in schema.get("readOnlyProperties", [])}


def property_problems(
    properties: Mapping[str, Any], schema: Mapping[str, Any]
) -> Iterator[tuple[Location, str]]:
    """(path under Properties, message) for each schema rule the literal values break; each
    message names the property and the schema keyword it breaks."""
    if is_intrinsic(properties):
        return
    for name in sorted(_attribute_names(schema) & set(properties)):
        yield (
            [name],
            f"{name} is read-only: CloudFormation sets it (schema rule readOnlyProperties)",
        )
    validator = SchemaValidator({k: v for k, v in schema.items() if k != "handlers"})
    for error in sorted(validator.iter_errors(properties), key=lambda e: [str(p) for p in e.path]):
        path: Location = list(error.path)
        if error.validator == "additionalProperties" and len(path) == 1:
            yield (
                path,
                (
                    f"{path[0]} is not a property of {schema['typeName']}"
                    " (schema rule additionalProperties)"
                ),
            )
        elif is_computed(properties, path):
            continue
        elif error.validator == "required" and not path:
            yield [], f"{error.message} of {schema['typeName']} (schema rule required)"
        elif error.validator == "pattern":
            yield path, pattern_message(path, error.instance, error.validator_value)
        else:
            where = "/".join(str(p) for p in path)
            yield path, f"{where}: {error.message} (schema rule {error.validator})"
    yield from repeated_alias_problems(properties)


def repeated_alias_problems(properties: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
    """(path, message) for each literal alias Aliases lists a second time: the schema has no
    ``uniqueItems``, but the handler refuses such a list (the aliases are a set)."""
    listed = properties.get("Aliases")
    if not isinstance(listed, list):
        return
    seen: set[str] = set()
    for index, alias in enumerate(listed):
        if not isinstance(alias, str):
            continue
        if alias in seen:
            yield (
                ["Aliases", index],
                f"Aliases lists {alias!r} more than once: the handler refuses a repeated alias"
                " (each alias at most once)",
            )
        seen.add(alias)


# How a reference to an attribute is shown, by the function that makes it.
_SHOWN = {"Fn::GetAtt": "GetAtt {}", "Fn::Sub": "Sub ${{{}}}"}


def get_att_problems(
    get_atts: Iterable[tuple[Location, Any]],
    ours: set[str],
    schema: Mapping[str, Any],
    function: str = "Fn::GetAtt",
) -> Iterator[tuple[Location, str]]:
    """(path, message) for each reference to an attribute of one of ``ours`` (made by
    ``function``: ``[resource, attribute]`` or ``resource.attribute``) naming no attribute of
    the type."""
    attributes = _attribute_names(schema)
    for path, value in get_atts:
        target = value.split(".", 1) if isinstance(value, str) else value
        if not isinstance(target, list) or len(target) != 2 or not isinstance(target[1], str):
            continue
        resource, attribute = str(target[0]), target[1]
        if resource in ours and attribute not in attributes:
            yield (
                path,
                (
                    f"{_SHOWN[function].format(f'{resource}.{attribute}')}: {schema['typeName']}"
                    f" has no attribute {attribute!r} (attributes: {', '.join(sorted(attributes))})"
                ),
            )


def sub_get_atts(subs: Iterable[tuple[Location, Any]]) -> Iterator[tuple[Location, str]]:
    """(path, ``resource.attribute``) for each ``${resource.attribute}`` of the Fn::Sub values
    ``subs`` (path to the function, value), in the string form and in the list form, where a
    variable of that very name stands for it instead (``${!...}`` is no reference)."""
    for path, value in subs:
        text, where = value, path
        variables: Mapping[str, Any] = {}
        if isinstance(value, list) and value:
            text, where = value[0], [*path, 0]
            variables = value[1] if len(value) > 1 and isinstance(value[1], Mapping) else {}
        if not isinstance(text, str):
            continue
        for reference in REGEX_SUB_PARAMETERS.findall(text):
            if "." in reference and reference not in variables:
                yield where, reference


def claimed_aliases(properties: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
    """(path under Properties, alias) for each literal alias a resource claims (Aliases and
    Alias; computed ones are unknown until deploy time)."""
    listed = properties.get("Aliases")
    if isinstance(listed, list):
        for index, alias in enumerate(listed):
            if isinstance(alias, str):
                yield ["Aliases", index], alias
    if isinstance(properties.get("Alias"), str):
        yield ["Alias"], properties["Alias"]


def image_key(image_name: Any) -> str:
    """Two resources name one image when their ImageName is the same literal (up to case, as
    SageMaker's image names are unique case-insensitively) or the same intrinsic function."""
    if isinstance(image_name, str):
        return image_name.lower()
    return json.dumps(image_name, sort_keys=True, default=str)


def shared_alias_problems(
    resources: Mapping[str, Mapping[str, Any]],
    conditions: Mapping[str, str] | None = None,
    definitions: Mapping[str, Any] | None = None,
) -> Iterator[tuple[Location, str]]:
    """(path, message) for each resource claiming an alias of an image that a resource before it
    (in name order) already claims, where both may exist together (``existing_together``);
    ``resources`` maps names to properties."""
    reported: set[tuple[str, str, str]] = set()
    for versions in _versions_by_image(resources).values():
        for left_out in existing_together(versions, conditions or {}, definitions or {}):
            holders: dict[str, str] = {}
            for name in (n for n in versions if n not in left_out):
                for path, alias in claimed_aliases(resources[name]):
                    holder = holders.setdefault(alias, name)
                    if holder != name and (holder, name, alias) not in reported:
                        reported.add((holder, name, alias))
                        yield (
                            [name, "Properties", *path],
                            (
                                f"{holder} and {name} both claim alias {alias!r} of one image: an"
                                " alias names one version at a time, so each would take it from"
                                " the other"
                            ),
                        )


def _versions_by_image(resources: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """The names of ``resources`` that name an image, in name order, by image (``image_key``)."""
    images: dict[str, list[str]] = {}
    for name, properties in sorted(resources.items()):
        if "ImageName" in properties:
            images.setdefault(image_key(properties["ImageName"]), []).append(name)
    return images


# The most conditions taken in all their combinations (2 ** 10 ways); resources under any
# further condition are taken to exist in every way.
MOST_CONDITIONS = 10


def existing_together(
    versions: Iterable[str],
    conditions: Mapping[str, str],
    definitions: Mapping[str, Any],
    between: Iterable[str] = (),
) -> list[set[str]]:
    """For each way the Conditions of ``versions`` (and of the resources ``between`` them, after
    theirs) can come out, the resources it leaves out (``conditions``: each resource's Condition;
    ``definitions``: the template's Conditions); one empty set when they carry none.

    Every combination of true and false counts but those a simple proof rules out: two
    conditions that never hold together (``never_together``) both true, or two of which one is
    the other's Fn::Not both false. A condition with no such proof may hold with any other."""
    own = {conditions[v] for v in versions if v in conditions}
    others = {conditions[r] for r in between if r in conditions} - own
    names = [*sorted(own), *sorted(others)][:MOST_CONDITIONS]
    ways = []
    for values in itertools.product([True, False], repeat=len(names)):
        holds = dict(zip(names, values, strict=True))
        if not any(
            _ruled_out(a, holds[a], b, holds[b], definitions)
            for a, b in itertools.combinations(names, 2)
        ):
            ways.append({r for r, condition in conditions.items() if holds.get(condition) is False})
    return ways or [set()]


def _ruled_out(
    first: str, first_holds: bool, second: str, second_holds: bool, definitions: Mapping[str, Any]
) -> bool:
    """Whether a simple proof rules out that two conditions come out so."""
    if first_holds and second_holds:
        return never_together(first, second, definitions)
    if not first_holds and not second_holds:
        return _negates(first, second, definitions)
    return False


def never_together(first: str, second: str, definitions: Mapping[str, Any]) -> bool:
    """Whether conditions ``first`` and ``second`` never hold together, by a simple proof: one is
    the Fn::Not of the other (of its name or, literally, of its definition), or both are a
    Fn::Equals of one Ref and a literal, with two different literals."""
    if _negates(first, second, definitions):
        return True
    one, other = (_ref_equal_to(definitions.get(name)) for name in (first, second))
    return one is not None and other is not None and one[0] == other[0] and one[1] != other[1]


def _negates(first: str, second: str, definitions: Mapping[str, Any]) -> bool:
    """Whether one of the two conditions is the Fn::Not of the other (of its name, or literally
    of its definition): exactly one of them holds."""
    for condition, other in ((first, second), (second, first)):
        definition = definitions.get(condition)
        if not isinstance(definition, Mapping) or list(definition) != ["Fn::Not"]:
            continue
        operand = definition["Fn::Not"]
        operand = operand[0] if isinstance(operand, list) and len(operand) == 1 else operand
        if operand == {"Condition": other} or (
            other in definitions and operand == definitions[other]
        ):
            return True
    return False


def _ref_equal_to(definition: Any) -> tuple[str, str] | None:
    """(name, literal) when ``definition`` is a Fn::Equals of a Ref to that name and a literal
    string, in either order; else None."""
    if not isinstance(definition, Mapping) or list(definition) != ["Fn::Equals"]:
        return None
    operands = definition["Fn::Equals"]
    if not isinstance(operands, list) or len(operands) != 2:
        return None
    for ref, literal in (operands, operands[::-1]):
        if isinstance(ref, Mapping) and list(ref) == ["Ref"] and isinstance(literal, str):
            return str(ref["Ref"]), literal
    return None


def unordered_versions(
    resources: Mapping[str, Mapping[str, Any]],
    dependencies: Mapping[str, Iterable[str]],
    conditions: Mapping[str, str] | None = None,
    definitions: Mapping[str, Any] | None = None,
) -> Iterator[tuple[str, str]]:
    """(later, earlier) for each two versions of one image that may exist together and that
    nothing orders, such that ``later`` DependsOn ``earlier`` (or a Ref under Fn::If, see
    ``unordered_message``) for each pair leaves the versions of every image that exist together,
    whichever way the conditions come out, in one chain.

    ``resources`` maps names to properties; ``dependencies`` maps each resource of the template
    to those it depends on directly (DependsOn, Ref, GetAtt, Sub); ``conditions`` and
    ``definitions`` as for ``existing_together``. The versions of an image are put in one order:
    each after those it depends on; where that allows several, those without a Condition first
    (they exist whenever one under a Condition does), then those under one condition together.
    For each way the conditions can come out, each two neighbours in that order among the
    versions that exist, that no path of dependencies through resources that exist joins, are
    one pair; without conditions, at most one pair per version, none when the versions already
    form a chain."""
    conditions = conditions or {}
    for versions in _versions_by_image(resources).values():
        reached = {name: reachable(name, dependencies) for name in versions}
        order = _in_dependency_order(versions, reached, conditions)
        found: set[tuple[str, str]] = set()
        between = set().union(*reached.values())
        for left_out in existing_together(versions, conditions, definitions or {}, between):
            kept = {
                name: [n for n in direct if n not in left_out]
                for name, direct in dependencies.items()
                if name not in left_out
            }
            existing = [name for name in order if name not in left_out]
            for earlier, later in itertools.pairwise(existing):
                if (later, earlier) not in found and earlier not in reachable(later, kept):
                    found.add((later, earlier))
                    yield later, earlier


def reachable(start: str, dependencies: Mapping[str, Iterable[str]]) -> set[str]:
    """Every resource ``start`` depends on, directly or through others."""
    found: set[str] = set()
    pending = list(dependencies.get(start, ()))
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(dependencies.get(name, ()))
    return found


def _in_dependency_order(
    versions: list[str], reached: Mapping[str, set[str]], conditions: Mapping[str, str]
) -> list[str]:
    """``versions`` with each after every one it depends on; where that allows several, one
    without a Condition first, then one that depends on the version placed last (an existing
    chain is followed, not cut), then by Condition and name (and where a dependency cycle, which
    cfn-lint reports itself, allows none, by Condition and name)."""
    remaining = sorted(versions, key=lambda name: (conditions.get(name, ""), name))
    order: list[str] = []
    while remaining:
        ready = [n for n in remaining if not reached[n] & (set(remaining) - {n})] or remaining
        ready = [n for n in ready if n not in conditions] or ready
        following = [n for n in ready if order and order[-1] in reached[n]]
        chosen = (following or ready)[0]
        order.append(chosen)
        remaining.remove(chosen)
    return order


def unordered_message(later: str, earlier: str, depends_on: Any, condition: str | None) -> str:
    """Why two versions of one image should be ordered, and how (``depends_on``: ``later``'s
    DependsOn as the template gives it, None when it has none; ``condition``: ``earlier``'s
    Condition where ``later`` may exist without it, None where it surely exists with ``later``:
    without a Condition, or under ``later``'s own)."""
    lead = (
        f"{later} and {earlier} are versions of one image that nothing orders: SageMaker makes"
        " one version of an image at a time, so versions started together keep asking for their"
        " turn, each time in a billed handler operation; a DependsOn chain costs fewer operations"
        " and, simulated, takes no longer"
    )
    if condition is not None:
        return (
            f"{lead}, but {earlier} exists only when condition {condition} holds, so DependsOn"
            f" cannot name it: add to {later}'s Metadata a Ref that applies only then, such as"
            f" After{earlier}: !If [{condition}, !Ref {earlier}, !Ref AWS::NoValue]"
        )
    how = f"DependsOn: {earlier}" if depends_on is None else f"{earlier} to its DependsOn"
    return f"{lead}: add {how}"


def image_ref_problem(properties: Mapping[str, Any], images: set[str]) -> str | None:
    """Why ImageName is wrong when it is a Ref to an image of the template, else None."""
    image_name = properties.get("ImageName")
    if isinstance(image_name, Mapping) and image_name.get("Ref") in images:
        return (
            f"ImageName: Ref {image_name['Ref']} gives the image's ARN, not its name;"
            " use the name itself (a parameter or literal) with DependsOn on the image"
        )
    return None


def _dependencies(cfn: Any) -> dict[str, set[str]] | None:
    """What each resource depends on directly, from cfn-lint's graph of the template (DependsOn,
    Ref, GetAtt and Sub); None when cfn-lint could build no graph."""
    graph = getattr(cfn, "graph", None)
    if graph is None:
        return None
    return {str(node): {str(n) for n in graph.graph.successors(node)} for node in graph.graph}


def _conditions(cfn: Any) -> dict[str, str]:
    """Each resource's Condition, for those under one."""
    return {
        name: resource["Condition"]
        for name, resource in _by_name(cfn).items()
        if isinstance(resource, Mapping) and isinstance(resource.get("Condition"), str)
    }


def _definitions(cfn: Any) -> Mapping[str, Any]:
    """The template's Conditions section (empty when it has none, or no mapping)."""
    definitions = cfn.template.get("Conditions", {})
    return definitions if isinstance(definitions, Mapping) else {}


def _by_name(cfn: Any) -> dict[str, Any]:
    """The template's resources by name as a string (YAML may give a name as a number)."""
    resources = cfn.template.get("Resources", {})
    return {str(k): v for k, v in resources.items()} if isinstance(resources, Mapping) else {}


def _resources_of(cfn: Any, type_name: str) -> dict[str, Mapping[str, Any]]:
    """Name to properties of each resource of ``type_name`` in the template."""
    found = {}
    for name, resource in _by_name(cfn).items():
        if isinstance(resource, Mapping) and resource.get("Type") == type_name:
            properties = resource.get("Properties", {})
            found[name] = properties if isinstance(properties, Mapping) else {}
    return found


def _schema(cfn: Any) -> Mapping[str, Any] | None:
    """Our type's schema as cfn-lint loaded it (``--registry-schemas``); None when it is not loaded,
    which cfn-lint itself reports (E3006)."""
    try:
        schema: Mapping[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
            cfn.regions[0], TYPE_NAME
        ).schema
    except ResourceNotFoundError:
        return None
    return schema


class _OurTypeRule:
    """What every rule here shares: it runs once cfn-lint has our schema, and turns the
    (location, message) pairs of ``problems`` into cfn-lint's matches. Not a CloudFormationLintRule
    itself, so cfn-lint, which makes a rule of each subclass it finds, leaves it out."""

    def problems(self, cfn: Any, schema: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
        raise NotImplementedError

    def match(self, cfn: Any) -> list[Any]:
        schema = _schema(cfn)
        if schema is None:
            return []
        return [RuleMatch(path, message) for path, message in self.problems(cfn, schema)]


class ImageVersionProperties(_OurTypeRule, CloudFormationLintRule):  # type: ignore[misc]
    id = "E9301"
    shortdesc = f"{TYPE_NAME} properties follow its schema"
    description = (
        "Literal property values checked against the registry schema: unknown, read-only and "
        "missing required properties, types, enums, patterns, lengths and ranges"
    )
    tags: ClassVar[list[str]] = ["resources", "properties", "sagemaker"]

    def problems(self, cfn: Any, schema: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
        for name, properties in sorted(_resources_of(cfn, TYPE_NAME).items()):
            for path, message in property_problems(properties, schema):
                yield ["Resources", name, "Properties", *path], f"{name}: {message}"


class ImageVersionGetAtt(_OurTypeRule, CloudFormationLintRule):  # type: ignore[misc]
    id = "E9302"
    shortdesc = f"GetAtt on {TYPE_NAME} names one of its attributes"
    description = (
        "Every Fn::GetAtt on the type, and every ${Resource.Attribute} of an Fn::Sub on it, names"
        " one of the schema's read-only properties"
    )
    tags: ClassVar[list[str]] = ["resources", "functions", "getatt", "sagemaker"]

    def problems(self, cfn: Any, schema: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
        ours = set(_resources_of(cfn, TYPE_NAME))
        get_atts = ((found[:-1], found[-1]) for found in cfn.search_deep_keys("Fn::GetAtt"))
        yield from get_att_problems(get_atts, ours, schema)
        subs = ((found[:-1], found[-1]) for found in cfn.search_deep_keys("Fn::Sub"))
        yield from get_att_problems(sub_get_atts(subs), ours, schema, "Fn::Sub")


class ImageVersionSharedAlias(_OurTypeRule, CloudFormationLintRule):  # type: ignore[misc]
    id = "E9303"
    shortdesc = f"No two {TYPE_NAME} resources claim one alias of one image"
    description = (
        "Aliases and Alias of resources whose ImageName is the same literal or the same "
        "intrinsic function, and that may exist together, never overlap: an alias names one "
        "version at a time"
    )
    tags: ClassVar[list[str]] = ["resources", "sagemaker"]

    def problems(self, cfn: Any, schema: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
        ours, conditions = _resources_of(cfn, TYPE_NAME), _conditions(cfn)
        for path, message in shared_alias_problems(ours, conditions, _definitions(cfn)):
            yield ["Resources", *path], message


class ImageVersionImageName(_OurTypeRule, CloudFormationLintRule):  # type: ignore[misc]
    id = "E9304"
    shortdesc = f"{TYPE_NAME} ImageName is a name, not a Ref to an image"
    description = f"Ref on an {IMAGE_TYPE} gives its ARN, which ImageName does not accept"
    tags: ClassVar[list[str]] = ["resources", "sagemaker"]

    def problems(self, cfn: Any, schema: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
        images = set(_resources_of(cfn, IMAGE_TYPE))
        for name, properties in sorted(_resources_of(cfn, TYPE_NAME).items()):
            if (problem := image_ref_problem(properties, images)) is not None:
                yield ["Resources", name, "Properties", "ImageName"], f"{name}: {problem}"


class ImageVersionOrder(_OurTypeRule, CloudFormationLintRule):  # type: ignore[misc]
    id = "W9305"
    shortdesc = f"{TYPE_NAME} resources of one image are ordered"
    description = (
        "Versions of one image (the same literal ImageName, whatever its case, or the same "
        "intrinsic function) that may exist together form one chain of dependencies, whichever "
        "way the conditions come out: SageMaker makes one version of an "
        "image at a time, and versions started together wait for their turn in billed "
        "handler operations"
    )
    tags: ClassVar[list[str]] = ["resources", "dependson", "sagemaker"]

    def problems(self, cfn: Any, schema: Mapping[str, Any]) -> Iterator[tuple[Location, str]]:
        dependencies = _dependencies(cfn)
        if dependencies is None:  # no order is known: nothing can be said about it
            return
        resources, conditions = _by_name(cfn), _conditions(cfn)
        ours = _resources_of(cfn, TYPE_NAME)
        for later, earlier in unordered_versions(ours, dependencies, conditions, _definitions(cfn)):
            depends_on = resources[later].get("DependsOn")
            condition = conditions.get(earlier)
            if condition == conditions.get(later):
                condition = None  # earlier exists whenever later does
            message = unordered_message(later, earlier, depends_on, condition)
            yield ["Resources", later], message
