"""reports/reliability.md from the figures and verdicts `make reliability` gathered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from harness.machine import describe

from .figures import load_all

# Each reliability requirement: the key its tests carry (``@pytest.mark.requirement(key)``) and
# what it says. SUITE_WIDE is decided by the figures all the tests' calls add up to (conftest).
SUITE_WIDE = "suite-wide-calls"
REQUIREMENTS = (
    ("concurrent-versions", "25 versions of one image created, then deleted, at once"),
    (
        "faults",
        "20 lifecycles under 20% injected faults: no duplicate, orphan or wrong-version call",
    ),
    (
        "fault-sweep",
        "One fault of each kind at each SageMaker call of each action (every combination): each"
        " run ends as it should, with no duplicate, orphan or wrong-version call",
    ),
    ("replay", "Every handler step safe to run twice (property test)"),
    ("invalid-input", "Invalid models refused naming the property, nothing changed"),
    (
        "malformed-events",
        "Malformed events: a FAILED answer naming the fault, never a crash or a hang",
    ),
    ("permissions", "Each action calls exactly its schema permissions"),
    ("no-credentials", "No credential value in any log line or console output"),
    (SUITE_WIDE, "Every version-scoped handler call names its Version (whole suite)"),
)
PACKAGES = ("boto3", "botocore", "moto", "cloudformation-cli-python-lib", "hypothesis", "pytest")


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Verdict:
    outcome: str  # passed, failure, error, xfailed or skipped
    message: str
    requirements: frozenset[str]


def _verdicts(junit: Path) -> dict[str, Verdict]:
    """Each test's outcome, message and requirement markers, by node id."""
    verdicts = {}
    # Our own pytest's report, written moments ago: trusted input.
    for case in ElementTree.parse(junit).iter("testcase"):  # noqa: S314
        path = case.get("classname", "").replace(".", "/") + ".py"
        node = f"{path}::{case.get('name')}"
        requirements = frozenset(
            prop.get("value", "")
            for prop in case.iterfind("properties/property")
            if prop.get("name") == "requirement"
        )
        child = next((c for c in case if c.tag != "properties"), None)
        if child is None:
            outcome, message = "passed", ""
        elif child.tag == "skipped" and child.get("type") == "pytest.xfail":
            outcome, message = "xfailed", child.get("message", "")
        else:
            outcome, message = child.tag, (child.get("message") or "")[:300]
        verdicts[node] = Verdict(outcome, message, requirements)
    return verdicts


def _requirement_rows(verdicts: Mapping[str, Verdict], suite: Mapping[str, Any]) -> list[Any]:
    rows = []
    for key, title in REQUIREMENTS:
        if key == SUITE_WIDE:
            held = suite.get("without_version") == 0 and suite.get("outside_permissions") == 0
            rows.append((title, "holds" if held else "FAILS", f"{suite.get('tests')} tests"))
            continue
        mine = {node: v for node, v in verdicts.items() if key in v.requirements}
        passed = [v for v in mine.values() if v.outcome == "passed"]
        failed = [
            n.rsplit("::", 1)[1] for n, v in mine.items() if v.outcome in {"failure", "error"}
        ]
        skipped = [n.rsplit("::", 1)[1] for n, v in mine.items() if v.outcome == "skipped"]
        # A skipped test decided nothing: the requirement holds only when every marked test ran
        # and passed (an expected failure, xfailed, is a known bug listed below, not a pass).
        verdict = "holds" if passed and not failed and not skipped else "FAILS"
        if failed or skipped:
            detail = "; ".join(
                f"{label}: {', '.join(names)}"
                for label, names in (("failed", failed), ("skipped", skipped))
                if names
            )
        else:
            detail = (
                f"{len(passed)} tests passed"
                if passed
                else ("no marked test passed" if mine else "no test carries this marker")
            )
        rows.append((title, verdict, detail))
    return rows


def _phase_rows(result: Mapping[str, Any], phases: Sequence[str]) -> list[Any]:
    return [
        (
            phase,
            ", ".join(f"{k} {v}" for k, v in result[phase]["outcomes"].items()),
            result[phase]["invocations"],
            result[phase]["max_invocations"],
            result[phase]["sagemaker_calls"],
            result[phase]["resource_in_use"],
            ", ".join(f"{k} {v}" for k, v in result[phase]["calls_by_operation"].items()),
        )
        for phase in phases
    ]


PHASE_HEADERS = (
    "phase",
    "outcomes",
    "invocations",
    "most by one resource",
    "SageMaker calls",
    "ResourceInUse seen",
    "calls by operation",
)


def _concurrency(result: Mapping[str, Any]) -> str:
    settings = result["settings"]
    text = (
        f"{settings['versions']} versions of one image, no ordering, created at once and then"
        f" deleted at once; a version takes {settings['transition_seconds']} s to be created or"
        f" deleted; each invocation has {settings['time_limit']} s of Lambda time and callback"
        f" delays are scaled by {settings['delay_scale']}.\n\n"
    )
    text += _table(PHASE_HEADERS, _phase_rows(result, ("create", "delete")))
    text += (
        f"\nVersions created: {_span(result['versions_created'])}; left after the deletes:"
        f" {result['versions_left'] or 'none'}. Wall time: {result['create']['seconds']} s to"
        f" create, {result['delete']['seconds']} s to delete. Problems:"
        f" {'; '.join(result['problems']) or 'none'}.\n"
    )
    return text


def _span(numbers: Sequence[int]) -> str:
    if numbers and list(numbers) == list(range(1, len(numbers) + 1)):
        return f"1..{len(numbers)}, each once"
    return str(list(numbers))


def _faults(result: Mapping[str, Any]) -> str:
    settings = result["settings"]
    kinds = sorted(result["faults_injected"])
    operations = sorted({op for counts in result["faults_injected"].values() for op in counts})
    rows = [
        (op, *(result["faults_injected"][kind].get(op, 0) for kind in kinds)) for op in operations
    ]
    text = (
        f"{settings['lifecycles']} lifecycles ({'at once' if settings['parallel'] else 'in turn'}),"
        f" {settings['rate']:.0%} fault rate on every operation, seed {settings['seed']}.\n\n"
        f"Faults injected ({result['faults_total']} in {result['http_requests']} HTTP"
        " requests):\n\n"
    )
    text += _table(("operation", *kinds), rows)
    text += (
        f"\nHandler call attempts: {result['sagemaker_calls']} (botocore makes one attempt per"
        " call; the handler retries transient failures itself, within the invocation's"
        f" deadline); attempts failed by injected faults, each retried:"
        f" {_counts(result['faults_reaching_handlers'])}.\n\n"
    )
    text += _table(PHASE_HEADERS, _phase_rows(result["phases"], ("create", "update", "delete")))
    text += (
        f"\nLifecycles completed: **{result['lifecycles_completed']} of {settings['lifecycles']}**;"
        f" duplicate versions: **{result['duplicates']}**; orphans: **{result['orphans']}**;"
        f" calls on the wrong version: **{result['wrong_version_calls']}**; versions left:"
        f" {result['versions_left'] or 'none'}.\n"
    )
    if result["problems"]:
        text += "\nWhat went wrong:\n\n" + "".join(f"- {p}\n" for p in result["problems"])
    return text


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def _extra_fault_runs(runs: Mapping[str, Any]) -> str:
    rows = [
        (
            name,
            f"{r['lifecycles_completed']} of {r['settings']['lifecycles']}",
            r["faults_total"],
            _counts(r["faults_reaching_handlers"]),
            r["duplicates"],
            r["orphans"],
            r["wrong_version_calls"],
        )
        for name, r in runs.items()
    ]
    headers = (
        "run",
        "completed",
        "faults",
        "attempts failed by faults (retried)",
        "duplicates",
        "orphans",
        "wrong-version calls",
    )
    return _table(headers, rows)


def _property_counts(counts: Mapping[str, int], total_key: str) -> str:
    rows = sorted(
        (k.split(": ", 1)[1], v) for k, v in counts.items() if ": " in k and k.startswith(total_key)
    )
    return _table(("property and rule broken", "examples"), rows)


SWEEP_FIGURES = ("fault_sweep_in_process", "fault_sweep_http")
"""The fault sweep's figures, one set per transport (tests/reliability/test_fault_sweep.py)."""
SWEEP_HEADERS = (
    "transport",
    "kinds",
    "scenarios",
    "calls",
    "combinations",
    "runs",
    "violations",
    "no effect",
    "redelivered",
    "seconds",
)


def _sweep(sweeps: Sequence[Mapping[str, Any]]) -> str:
    """The fault sweep: its figures per transport, every violation, and every combination."""
    combinations = sum(s["combinations"] for s in sweeps)
    violations = sum(s["violations"] for s in sweeps)
    rows = [
        (
            transport,
            ", ".join(row["kinds"]),
            row["scenarios"],
            row["calls"],
            row["combinations"],
            row["runs"],
            row["violations"],
            row["no_effect"],
            row["redelivered"],
            row["seconds"],
        )
        for s in sweeps
        for transport, row in s["by_transport"].items()
    ]
    profiles = sorted({s["profile"] for s in sweeps})
    under = [s["variants"] for s in sweeps if s.get("variants")]
    also = (
        f"; again under the emulator's other variants: **{sum(u['runs'] for u in under)} runs,"
        f" {sum(u['violations'] for u in under)} violations**"
        if under
        else ""
    )
    text = (
        "Each fault kind injected at each SageMaker call of each action, every combination"
        " (scenario x call index x kind), each run to its end through the real entrypoint"
        " (`reliability_suite.sweep`; profile "
        f"{', '.join(profiles)}): **{combinations} combinations, {violations} violations**"
        f"{also}. A"
        " combination's run is judged on: it ends; as the scenario expects (SUCCESS, or the"
        " clean-up's NotStabilized), a retriable FAILED answer being delivered again as"
        " CloudFormation does; no duplicate, no orphan, every resource's version with the"
        " aliases and metadata asked for; no handler call on a version its resource does not"
        " own, or without its Version, or outside its permissions; every event in the"
        " contract's shape; and the fault hit the call it was aimed at. In process the handler"
        " and the emulator share a virtual clock (no real waiting); over HTTP (drop: the"
        " request applied and its answer lost; trickle: an answer slower than the call may"
        " wait) every invocation has a few seconds of real Lambda time.\n\n"
    )
    text += _table(SWEEP_HEADERS, rows)
    text += (
        "\n*runs* counts each scenario's fault-free baseline too; *no effect*: the fault left the"
        " handler the answer it would have had (a truncated error answer passes whole, a short"
        " answer trickles in in time); *redelivered*: runs CloudFormation had to deliver again"
        " after a retriable FAILED answer.\n"
    )
    found = [line for s in sweeps for line in _sweep_violations(s)]
    text += "\nViolations under the environment's variants:" + (
        "\n\n" + "".join(found) if found else " none.\n"
    )
    for s in sweeps:
        if s.get("variants"):
            text += _sweep_under_variants(s["variants"])
    for s in sweeps:
        for scenario in s["scenarios"]:
            text += _sweep_scenario(scenario)
    return text


def _sweep_under_variants(under: Mapping[str, Any]) -> str:
    """The in-process sweep again under every other variant of the emulator's rules."""
    by_variant: dict[str, list[Mapping[str, Any]]] = {}
    for swept in under["swept"]:
        by_variant.setdefault(swept["variant"], []).append(swept)
    rows = [
        (
            variant,
            ", ".join(s["scenario"] for s in swept if s["every"]) or "none",
            ", ".join(f"{s['scenario']} ({s['combinations']})" for s in swept if not s["every"])
            or "none",
            sum(s["combinations"] for s in swept),
            sum(s["violations"] for s in swept),
        )
        for variant, swept in sorted(by_variant.items())
    ]
    found = _sweep_violations(under)
    return (
        "\n### Under the emulator's other variants\n\n"
        f"The in-process sweep again under each of the {under['variants']} other variants of the"
        " SageMaker rules the emulator cannot know (`sagemaker_emulator.rules`), wherever a"
        " variant can change anything: a run that never reads a rule is the same under all its"
        " variants (as `make test-variants` has it), so a scenario whose fault-free run reads"
        " the rule is swept again in full, from a baseline of its own, and otherwise only the"
        f" combinations whose run read it run again. **{under['runs']} runs,"
        f" {under['violations']} violations**, in {under['seconds']} s.\n\n"
        + _table(
            (
                "variant",
                "swept again in full",
                "combinations run again (how many)",
                "combinations",
                "violations",
            ),
            rows,
        )
        + "\nViolations under other variants:"
        + ("\n\n" + "".join(found) if found else " none.\n")
    )


def _sweep_violations(sweep: Mapping[str, Any]) -> list[str]:
    lines = [f"- {problem}\n" for problem in sweep["baseline_problems"]]
    for run in sweep["violating"]:
        under = f", under `{run['variant']}`" if run.get("variant") else ""
        lines.append(
            f"- `{run['scenario']}` ({run['transport']}{under}), call {run['at']}"
            f" ({run['operation']}), {run['kind']}: "
            + "; ".join(run["problems"])
            + "\n"
            + "".join(f"  - call {line}\n" for line in run.get("trace", []))
            + "".join(f"  - event: `{event}`\n" for event in run["events"])
        )
    return lines


def _sweep_scenario(scenario: Mapping[str, Any]) -> str:
    kinds = scenario["kinds"]
    rows = [
        (k, scenario["operations"][int(k)], *(cells.get(kind, "") for kind in kinds))
        for k, cells in scenario["cells"].items()
    ]
    return (
        f"\n### {scenario['scenario']} ({scenario['transport']})\n\n"
        f"{scenario['summary']} {scenario['calls']} handler calls without a fault;"
        f" {scenario['combinations']} combinations, {scenario['violations']} violations, in"
        f" {scenario['seconds']} s (the longest run {scenario['run_seconds_max']} s).\n\n"
        + _table(("call", "operation", *kinds), rows)
    )


def render(build: Path, steps: Mapping[str, Mapping[str, int]]) -> str:
    found = load_all(build)
    verdicts = _verdicts(build / "junit.xml")
    suite = found.get("suite_calls", {})
    summary = (build / "pytest.log").read_text().strip().splitlines()[-1]
    sweeps = [found[name] for name in SWEEP_FIGURES if name in found]
    sweep_seconds = round(sum(s["seconds"] for s in sweeps))
    parts = [
        "# Reliability and security, measured\n\n",
        "Written by `make reliability` (do not edit by hand): every figure below was measured by"
        " the run that wrote this file.\n\n",
        f"- When: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the run took"
        f" {steps['total']['seconds']} s"
        f" (test suite {steps['suite']['seconds']} s, of which the fault sweep {sweep_seconds} s;"
        f" audit {steps['audit']['seconds']} s, extra fault runs {steps['fault runs']['seconds']}"
        " s).\n",
        f"- Machine: {describe(PACKAGES)}.\n",
        f"- Test suite at full size: `{summary}`.\n",
        "\n## Verdicts\n\n",
        _table(("requirement", "verdict", "tests"), _requirement_rows(verdicts, suite)),
    ]
    if "concurrency" in found:
        parts += ["\n## Concurrency\n\n", _concurrency(found["concurrency"])]
    if "faults" in found:
        parts += ["\n## Injected faults\n\n", _faults(found["faults"])]
    if "fault_runs" in found:
        parts += [
            "\nThe same scenario with other seeds, and with every lifecycle sharing one cached"
            " client (and so one botocore retry quota), as overlapping invocations in one process"
            " would:\n\n",
            _extra_fault_runs(found["fault_runs"]),
        ]
    if sweeps:
        parts += ["\n## Fault sweep\n\n", _sweep(sweeps)]
    replay = found.get("replay", {})
    parts += [
        "\n## Steps delivered twice\n\n",
        f"{replay.get('examples', 0)} examples, each run twice on a fresh emulator (once plainly,"
        " once with one step delivered twice), ended alike: same status, error code, final model,"
        " versions, metadata and aliases.\n\n",
        _table(
            ("operation, step replayed, answer kept", "examples"),
            sorted((k, v) for k, v in replay.items() if k != "examples"),
        ),
    ]
    invalid = found.get("invalid_input", {})
    parts += [
        "\n## Bad input\n\n",
        f"{invalid.get('invalid create', 0)} invalid CREATE models and"
        f" {invalid.get('invalid update', 0)} invalid UPDATE models, each breaking one rule of one"
        f" property ({sum(1 for k in invalid if k.startswith('invalid create: '))} rules, drawn"
        " from the schema), got InvalidRequest naming the property with no mutating SageMaker"
        " call (an update's read-only properties are its identifiers, not broken rules);"
        f" {invalid.get('valid create', 0)} valid models were created as given (and deleted).\n\n",
        _property_counts(invalid, "invalid create"),
    ]
    malformed = found.get("malformed_events", {})
    parts += [
        "\n## Malformed events\n\n",
        f"{malformed.get('table', 0)} named malformations, {malformed.get('random documents', 0)}"
        " random JSON documents and"
        f" {sum(v for k, v in malformed.items() if k.startswith('fuzzed'))} events with one part"
        " replaced by random JSON: every one answered (no crash, no hang).\n\n",
        _table(
            ("fuzzed event answered", "count"),
            sorted(
                (k.removeprefix("fuzzed: "), v)
                for k, v in malformed.items()
                if k.startswith("fuzzed")
            ),
        ),
    ]
    parts += ["\n## Security\n\n", _security(found, suite)]
    parts += ["\n## Dependency audit and bandit\n\n", _audit(found.get("audit", {}))]
    xfailed = sorted((n, v.message) for n, v in verdicts.items() if v.outcome == "xfailed")
    parts += [
        "\n## Known handler bugs (strict xfail tests)\n\n",
        "Each test below fails today for the reason given; it will XPASS, and so fail the suite,"
        " once the handler is fixed, and its mark must then go.\n\n",
        "".join(f"- `{n.split('tests/', 1)[-1]}`: {m}\n" for n, m in xfailed) or "None.\n",
    ]
    return "".join(parts)


def _security(found: Mapping[str, Any], suite: Mapping[str, Any]) -> str:
    permissions = found.get("permissions", {})
    rows = [
        (
            action,
            ", ".join(p.split(":")[1] for p in row["called"]),
            ", ".join(row["missing"]) or "none",
            ", ".join(row["unused"]) or "none",
        )
        for action, row in sorted(permissions.items())
    ]
    text = "Calls each action made across a run through every path, against the schema:\n\n"
    text += _table(
        ("action", "called (all sagemaker:)", "called but not permitted", "permitted but unused"),
        rows,
    )
    used = suite.get("used", {})
    named = suite.get("version_scoped", 0) - suite.get("without_version", 0)
    text += (
        f"\nAcross the whole suite ({suite.get('tests')} tests, {suite.get('handler_calls')}"
        f" handler calls): {suite.get('outside_permissions')} calls outside their action's"
        " permissions; permissions used per action: "
        + "; ".join(f"{a} {len(p)}" for a, p in sorted(used.items()))
        + f". Version named in {named} of"
        f" {suite.get('version_scoped')} DescribeImageVersion, UpdateImageVersion,"
        " DeleteImageVersion and ListAliases calls made by handlers.\n"
    )
    scan = found.get("credential_scan", {})
    debug = found.get("credential_scan_every_logger_debug", {})
    text += (
        f"\nCredential scan (root logger at DEBUG, stdout and stderr captured):"
        f" {scan.get('log_lines')} log lines and {scan.get('console_lines')} console lines,"
        f" credential values found: {_counts(scan.get('leaks_at_root_debug', {}))}."
        " With botocore's, boto3's and urllib3's own loggers forced to DEBUG as well:"
        f" {_counts(debug.get('leaks', {}))} (see the known bugs).\n"
    )
    return text


def _audit(audit: Mapping[str, Any]) -> str:
    dependencies = audit.get("dependencies", [])
    by_source = {
        s: [d for d in dependencies if d["source"] == s] for s in ("pip-audit", "project", "none")
    }
    vulnerable = [d for d in dependencies if d["vulnerabilities"]]
    found = ", ".join(f"{d['name']} {', '.join(d['vulnerabilities'])}" for d in vulnerable)
    bandit = audit.get("bandit", {})
    text = (
        f"{len(dependencies)} dependencies resolved from requirements.txt and requirements-dev.txt"
        f" by pip-audit: {len(by_source['pip-audit'])} audited by pip-audit itself,"
        f" {len(by_source['project'])} from PyPI's project document (the pin is the latest"
        f" release), {len(by_source['none'])} not audited; known vulnerabilities:"
        f" {found or 'none'}.\n\n"
        "Here pip-audit's own source, PyPI's per-version JSON document"
        " (`/pypi/<name>/<version>/json`), answers 404 for every package and OSV is unreachable, so"
        " pip-audit alone skips every dependency (and, without `--strict`, still says 'No known"
        " vulnerabilities found'); `make_targets.audit` completes it from the project document.\n\n"
    )
    if by_source["none"]:
        text += "Not audited (the pin is older than the latest release):\n\n"
        text += "".join(f"- {d['name']} {d['version']}: {d['note']}\n" for d in by_source["none"])
    text += (
        f"\nbandit on src/community_sagemaker_imageversion ({bandit.get('lines_scanned')} lines):"
        f" {len(bandit.get('issues', []))} issues.\n"
    )
    return text
