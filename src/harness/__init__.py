"""The test harness: drives the handler through its Lambda entrypoint as CloudFormation does,
and records and judges every AWS call it makes. Never shipped."""
