"""Moving ``latest`` from one version to the next across two stack updates (guide/studio.md),
through the real Lambda entrypoint: the first update adds version 2 under its own alias, the
second takes ``latest`` off version 1 and gives it to version 2. In whichever order CloudFormation
runs the second update's two resource updates, ``latest`` ends on version 2 alone, and each
version reads back what its template lists (no drift)."""

import pytest

from offline_aws.defaults import base_image

from .conftest import listed_aliases, listed_numbers, props

V1 = props(Aliases=["1.0", "latest"])
V2 = props(BaseImage=base_image("training:2.0"), Aliases=["2.0"])


def holders(sm, alias):
    """The versions of the image that hold ``alias``."""
    return [n for n in sorted(listed_numbers(sm)) if alias in listed_aliases(sm, n)]


@pytest.mark.parametrize("first", ["V1", "V2"], ids=["V2 DependsOn V1", "V1 DependsOn V2"])
def test_latest_moves_to_the_next_version_across_two_stack_updates(image, sm, driver, first):
    v1 = driver.run("CREATE", V1).model
    # first update: version 2 added beside version 1, under its own alias
    v2 = driver.run("CREATE", V2).model
    assert (v1["Version"], v2["Version"]) == (1, 2)
    assert holders(sm, "latest") == [1]

    # second update: latest moves
    updates = {
        "V1": ({**v1, "Aliases": ["1.0"]}, v1),
        "V2": ({**v2, "Aliases": ["2.0", "latest"]}, v2),
    }
    second = "V2" if first == "V1" else "V1"
    desired, previous = updates[first]
    assert driver.run("UPDATE", desired, previous=previous).status == "SUCCESS"
    # between the two resource updates: nobody holds it (V1 first), or version 2 already does
    assert holders(sm, "latest") == ([] if first == "V1" else [2])
    desired, previous = updates[second]
    outcome = driver.run("UPDATE", desired, previous=previous)
    assert outcome.status == "SUCCESS", outcome.final

    assert holders(sm, "latest") == [2]
    assert sorted(listed_aliases(sm, 1)) == ["1.0"]
    for name, (model, _) in updates.items():
        read = driver.run("READ", model)
        assert sorted(read.model["Aliases"]) == sorted(model["Aliases"]), f"{name} drifts"


@pytest.mark.parametrize("first", ["V1", "V2"], ids=["V2 DependsOn V1", "V1 DependsOn V2"])
def test_latest_moves_with_a_new_version_in_one_update(image, sm, driver, first):
    v1 = driver.run("CREATE", V1).model
    dropped = {**v1, "Aliases": ["1.0"]}
    if first == "V1":
        assert driver.run("UPDATE", dropped, previous=v1).status == "SUCCESS"
        assert holders(sm, "latest") == [], "nobody holds it while version 2 is made"
    v2 = driver.run("CREATE", {**V2, "Aliases": ["2.0", "latest"]})
    assert v2.status == "SUCCESS", v2.final
    assert holders(sm, "latest") == [2]
    if first == "V2":
        assert driver.run("UPDATE", dropped, previous=v1).status == "SUCCESS"
    assert holders(sm, "latest") == [2]
    assert sorted(listed_aliases(sm, 1)) == ["1.0"]
    assert sorted(driver.run("READ", dropped).model["Aliases"]) == ["1.0"]
