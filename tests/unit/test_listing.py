import pytest
from cloudformation_cli_python_lib.exceptions import InvalidRequest

from community_sagemaker_imageversion.listing import Cursor


@pytest.mark.parametrize(
    "cursor", [Cursor(), Cursor("page-2", 37, None), Cursor(None, 3, "tok/with+chars==")]
)
def test_cursor_round_trips(cursor):
    assert Cursor.decode(cursor.encode()) == cursor


def test_no_token_is_the_start():
    assert Cursor.decode(None) == Cursor()
    assert Cursor.decode("") == Cursor()


@pytest.mark.parametrize("token", ["not base64!", "e30=", "bnVsbA==", "W10=", "eyJpIjpudWxsfQ=="])
def test_foreign_tokens_are_invalid_requests(token):
    with pytest.raises(InvalidRequest, match="nextToken"):
        Cursor.decode(token)


def test_negative_offset_is_refused():
    with pytest.raises(InvalidRequest, match="negative"):
        Cursor.decode(Cursor(None, -1, None).encode())
