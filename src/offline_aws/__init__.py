"""The offline AWS: the emulated SageMaker served over HTTP, the Lambda Invoke endpoint, `cfn`
pointed at them, and the one offline account every tool uses. Never shipped."""
