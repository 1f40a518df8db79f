"""Local tooling that drives the handler like CloudFormation does. Never shipped."""
