"""The Community::SageMaker::ImageVersion resource provider (the Lambda handler package)."""

TYPE_NAME = "Community::SageMaker::ImageVersion"
