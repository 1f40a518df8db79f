"""`.rpdk-config` names only what exists: its entrypoints, and any contract-test input files."""

import importlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = json.loads((ROOT / ".rpdk-config").read_text())


def test_both_entrypoints_resolve_to_callables_of_the_shipped_package():
    for key in ("entrypoint", "testEntrypoint"):
        module_name, _, attribute = CONFIG[key].rpartition(".")
        assert module_name.startswith("community_sagemaker_imageversion.")
        assert callable(getattr(importlib.import_module(module_name), attribute)), key


def test_every_input_file_it_names_exists():
    named = CONFIG.get("canarySettings", {}).get("contract_test_file_names", [])
    missing = [name for name in named if not (ROOT / "contract-tests-artifacts" / name).is_file()]
    missing += [name for name in named if not (ROOT / "inputs" / name).is_file()]
    assert not missing, f".rpdk-config names input files that do not exist: {missing}"
