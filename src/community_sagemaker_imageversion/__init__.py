"""The Community::SageMaker::ImageVersion resource provider (the Lambda handler package)."""

TYPE_NAME = "Community::SageMaker::ImageVersion"

# The handler's version: the one place it is written. The README and CHANGELOG.md state it
# (tests/tools/test_release.py holds them to it); every SageMaker call carries it in its
# User-Agent (clients.USER_AGENT), which CloudTrail records.
__version__ = "1.0.0"
