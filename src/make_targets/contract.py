"""`make contract`: CloudFormation's own contract suite (`cfn test`, unmodified), offline.

It starts the emulated SageMaker and the local Lambda Invoke endpoint (see services.py), deploys
the contract tests' prerequisites, ``test/setup.yml``, to the offline CloudFormation (see
setup_stack.py), runs `cfn test` with the exports of that stack for the inputs' ``{{...}}``
placeholders and its one STS call sent to the emulator (see cfn_offline.py), stops everything
it started and exits with the suite's status. A line per contract test shows what runs and how
it ends (contract_report.py).

Handler output (its log lines, and the traceback of any bug) goes to
``build/contract-handler.log`` so the suite's own report stays readable.

Every argument is passed on to the suite's pytest, after `cfn test`'s own:
``make contract ARGS="-k contract_update_read"`` runs that one contract test of each input set.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from offline_aws.defaults import REGION
from offline_aws.services import offline_aws
from offline_aws.setup_stack import SETUP_TEMPLATE, deploy, missing_exports, read_template

HANDLER_LOG = Path("build/contract-handler.log")


@contextlib.contextmanager
def handler_output_to(path: Path) -> Iterator[None]:
    """Python-level output of this process goes to ``path``; `cfn test` keeps the terminal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        logging.basicConfig(stream=log, level=logging.INFO, force=True)
        yield


def cfn_test_command(endpoint: str, cloudformation: str, extra: Sequence[str]) -> list[str]:
    pytest_args = [
        *("-p", "no:cacheprovider", "-p", "make_targets.contract_report"),
        *("-o", "log_cli=false", "-W", "ignore::pytest.PytestRemovedIn10Warning"),
        *extra,
    ]
    return [
        *(sys.executable, "-m", "offline_aws.cfn_offline", "test"),
        *("--endpoint", endpoint, "--region", REGION),
        *("--cloudformation-endpoint-url", cloudformation),
        "--",
        *pytest_args,
    ]


def pytest_arguments(argv: Sequence[str]) -> list[str]:
    """What `make contract ARGS=...` hands the suite's pytest: every argument, in order
    (``-k EXPR``, ``-x``, ``-v``, ...), but a leading ``--``."""
    arguments = list(argv)
    return arguments[1:] if arguments[:1] == ["--"] else arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    root = Path.cwd()
    inputs = sorted((root / "inputs").glob("inputs_*.json"))
    unexported = missing_exports(inputs, read_template(root / SETUP_TEMPLATE))
    for name, names in sorted(unexported.items()):
        print(f"inputs/{name} names {', '.join(sorted(names))}, not exported by {SETUP_TEMPLATE}")
    if unexported:
        return 2
    with offline_aws(root, ()) as offline:
        exports = deploy(offline.emulator, root / SETUP_TEMPLATE)
        print(f"emulated SageMaker and CloudFormation at {offline.emulator}")
        print(f"{SETUP_TEMPLATE} deployed; its exports:")
        for name, value in sorted(exports.items()):
            print(f"   {name} = {value}")
        print(f"Lambda Invoke endpoint at {offline.endpoint}", flush=True)
        command = cfn_test_command(offline.endpoint, offline.emulator, pytest_arguments(arguments))
        with handler_output_to(root / HANDLER_LOG):
            status = subprocess.call(command, env=offline.cli_environment())  # noqa: S603
    verdict = "passed" if status == 0 else f"FAILED (exit status {status})"
    print(f"contract suite {verdict}; handler log: {HANDLER_LOG}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
