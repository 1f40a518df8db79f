"""`make lifecycle` keeps working: it runs every action through the emulator's server mode."""

from make_targets import lifecycle


def test_the_lifecycle_demo_completes(capsys):
    assert lifecycle.main() == 0
    out = capsys.readouterr().out
    for step in ("CREATE", "READ", "UPDATE", "LIST", "DELETE"):
        assert f"{step:<7} ok" in out
    assert "UNEXPECTED" not in out
    assert "lifecycle complete" in out
