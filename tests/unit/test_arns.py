import pytest

from community_sagemaker_imageversion.arns import names_same_image, parse_image_version_arn


def test_parses_every_part_of_an_image_version_arn():
    parsed = parse_image_version_arn(
        "arn:aws-us-gov:sagemaker:us-gov-west-1:123456789012:image-version/my-image.v2/17"
    )
    assert parsed is not None
    assert (parsed.partition, parsed.region, parsed.account) == (
        "aws-us-gov",
        "us-gov-west-1",
        "123456789012",
    )
    assert (parsed.name_lower, parsed.version) == ("my-image.v2", 17)
    assert (
        parsed.image_arn()
        == "arn:aws-us-gov:sagemaker:us-gov-west-1:123456789012:image/my-image.v2"
    )


@pytest.mark.parametrize(
    "arn",
    [
        "",
        "arn:aws:sagemaker:us-east-1:123456789012:image/my-image",
        "arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image",
        "arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/x",
        "arn:aws:sagemaker:us-east-1:12345:image-version/my-image/1",
        "arn:aws:s3:us-east-1:123456789012:image-version/my-image/1",
        "arn:aws:sagemaker:us-east-1:123456789012:image-version/-bad/1",
        "arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/1/extra",
    ],
)
def test_rejects_what_is_not_an_image_version_arn(arn):
    assert parse_image_version_arn(arn) is None


def test_lower_cases_a_capitalised_name_from_an_arn():
    parsed = parse_image_version_arn(
        "arn:aws:sagemaker:eu-west-1:123456789012:image-version/MyImage/3"
    )
    assert parsed is not None
    assert parsed.name_lower == "myimage"


@pytest.mark.parametrize(
    ("name", "arn_name", "same"),
    [("MyImage", "myimage", True), ("myimage", "myimage", True), ("MyImage2", "myimage", False)],
)
def test_names_match_an_arn_up_to_case(name, arn_name, same):
    assert names_same_image(name, arn_name) is same
