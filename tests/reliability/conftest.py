"""Size of the reliability checks: small in the normal suite, full in `make reliability`.

``RELIABILITY_PROFILE=full`` (set by `make reliability`) selects the full sizes and hypothesis's
``reliability`` profile (thousands of examples); anything else, the quick ones CI runs.
"""

import os

from hypothesis import HealthCheck, settings

FULL = os.environ.get("RELIABILITY_PROFILE") == "full"

settings.register_profile(
    "quick",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "reliability",
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("reliability" if FULL else "quick")
