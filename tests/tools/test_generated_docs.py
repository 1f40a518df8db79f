"""The generated docs (docs/README.md) show every property's own description, and the schema
names where the project's source and documentation live.

``cfn generate`` renders a property through its ``$ref``: a description written beside the
``$ref`` never reaches the docs. These tests read the committed docs, which ``make check``
compares with what ``make generate`` writes from the schema now.
"""

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "sagemaker-imageversion.json").read_text())
DOCS = (ROOT / "docs" / "README.md").read_text()
TYPE_NAME = json.loads((ROOT / ".rpdk-config").read_text())["typeName"]

# A property's heading, in the Properties section and (for read-only ones) under Fn::GetAtt.
HEADING = re.compile(r"^#### (?P<name>\S+)$")


def paragraphs_under_headings(markdown: str) -> dict[str, list[str]]:
    """The first paragraph under each property heading, by property name, in document order."""
    found: dict[str, list[str]] = {}
    lines = markdown.splitlines()
    for number, line in enumerate(lines):
        heading = HEADING.match(line)
        if heading is None:
            continue
        body = iter(lines[number + 1 :])
        paragraph: list[str] = []
        for text in body:
            if text.strip():
                paragraph.append(text.strip())
            elif paragraph:
                break
        found.setdefault(heading["name"], []).append(" ".join(paragraph))
    return found


def undocumented(schema: dict[str, Any], markdown: str) -> list[str]:
    """Properties with no heading, or with a heading whose first paragraph is not their own
    description."""
    shown = paragraphs_under_headings(markdown)
    return [
        name
        for name, prop in schema["properties"].items()
        if not shown.get(name) or any(text != prop["description"] for text in shown[name])
    ]


def test_every_property_shows_its_own_description_under_its_heading():
    assert undocumented(SCHEMA, DOCS) == []


def test_read_only_properties_show_theirs_among_the_gettable_attributes():
    gettable = DOCS.split("### Fn::GetAtt", 1)[1]
    for pointer in SCHEMA["readOnlyProperties"]:
        name = pointer.rsplit("/", 1)[1]
        assert paragraphs_under_headings(gettable)[name] == [
            SCHEMA["properties"][name]["description"]
        ]


def test_every_property_has_a_description_of_its_own():
    assert all(prop.get("description") for prop in SCHEMA["properties"].values())


def test_the_check_flags_a_description_the_docs_replace_or_leave_out():
    schema = {
        "properties": {
            "JobType": {"description": "Own text."},
            "Colour": {"description": "Not in the docs."},
            "Alias": {"description": "Shown."},
            "Version": {"description": "Shown once."},
        }
    }
    markdown = (
        "#### JobType\n\nThe definition's text.\n\n"
        "#### Alias\n\nShown.\n\n"
        "#### Version\n\nShown once.\n\n"
        "#### Version\n\nThe definition's text.\n"
    )
    assert undocumented(schema, markdown) == ["JobType", "Colour", "Version"]


def test_the_check_reads_a_paragraph_that_spans_lines():
    markdown = "#### Alias\n\nOne line\nand the next.\n\n_Required_: No\n"
    assert paragraphs_under_headings(markdown) == {"Alias": ["One line and the next."]}


def test_source_and_documentation_urls_name_the_project():
    """Both are https URLs that carry the type name's file form, so `make namespace` (which
    rewrites every form of the type name) moves them with the project."""
    project = TYPE_NAME.replace("::", "-").lower()
    for key in ("sourceUrl", "documentationUrl"):
        assert SCHEMA[key].startswith("https://"), key
        assert project in SCHEMA[key], key
    assert SCHEMA["documentationUrl"].startswith(SCHEMA["sourceUrl"])
