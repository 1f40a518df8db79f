"""The per-process client cache: reused only for the same caller, region and endpoint."""

import boto3
import pytest
from cloudformation_cli_python_lib.boto3_proxy import SessionProxy
from cloudformation_cli_python_lib.exceptions import InvalidCredentials, InvalidRequest

from community_sagemaker_imageversion import clients
from community_sagemaker_imageversion.clients import CallerSession, sagemaker_client

ALICE = CallerSession("AKIAALICE", "alice-secret", "alice-token")
BOB = CallerSession("AKIABOB", "bob-secret", "bob-token")


@pytest.fixture(autouse=True)
def empty_cache():
    clients.CLIENTS.clear()
    yield
    clients.CLIENTS.clear()


def credentials_of(client):
    frozen = client._request_signer._credentials.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


def test_the_same_caller_and_region_reuse_one_client():
    first = sagemaker_client(ALICE, "us-east-1")
    assert (
        sagemaker_client(CallerSession("AKIAALICE", "alice-secret", "alice-token"), "us-east-1")
        is first
    )
    assert first.meta.region_name == "us-east-1"


def test_callers_never_share_a_client():
    alice, bob = sagemaker_client(ALICE, "us-east-1"), sagemaker_client(BOB, "us-east-1")
    assert alice is not bob
    assert credentials_of(alice) == ("AKIAALICE", "alice-secret", "alice-token")
    assert credentials_of(bob) == ("AKIABOB", "bob-secret", "bob-token")


def test_a_renewed_session_token_gets_its_own_client():
    renewed = CallerSession("AKIAALICE", "alice-secret", "alice-token-2")
    assert sagemaker_client(ALICE, "us-east-1") is not sagemaker_client(renewed, "us-east-1")


def test_regions_and_endpoints_get_their_own_clients(monkeypatch):
    east = sagemaker_client(ALICE, "us-east-1")
    west = sagemaker_client(ALICE, "eu-west-1")
    assert west is not east
    assert west.meta.region_name == "eu-west-1"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:5999")
    local = sagemaker_client(ALICE, "us-east-1")
    assert local is not east
    assert local.meta.endpoint_url == "http://127.0.0.1:5999"


def test_the_cache_keeps_only_the_most_recent_callers():
    callers = [CallerSession(f"AKIA{n}", "s", "t") for n in range(clients.MAX_CACHED_CLIENTS + 1)]
    first = sagemaker_client(callers[0], "us-east-1")
    for caller in callers[1:]:
        sagemaker_client(caller, "us-east-1")
    assert sagemaker_client(callers[-1], "us-east-1") is sagemaker_client(callers[-1], "us-east-1")
    assert sagemaker_client(callers[0], "us-east-1") is not first, "the oldest was evicted"


def test_a_library_session_works_too():
    proxy = SessionProxy(
        boto3.session.Session(
            aws_access_key_id="AKIAPROXY",
            aws_secret_access_key="p-secret",
            aws_session_token="p-token",
        )
    )
    client = sagemaker_client(proxy, "us-east-1")
    assert credentials_of(client) == ("AKIAPROXY", "p-secret", "p-token")


def test_secrets_stay_out_of_the_repr():
    text = repr(ALICE)
    assert "AKIAALICE" in text
    assert "alice-secret" not in text
    assert "alice-token" not in text


def test_no_session_or_region_is_refused():
    with pytest.raises(InvalidCredentials):
        sagemaker_client(None, "us-east-1")
    with pytest.raises(InvalidRequest):
        sagemaker_client(ALICE, None)


def test_a_library_session_with_incomplete_credentials_is_refused():
    """`cfn test`'s entrypoint hands the handler a library session; without a secret key it is
    InvalidCredentials, never a client built from half a set of credentials."""
    proxy = SessionProxy(
        boto3.session.Session(aws_access_key_id="AKIAONLYKEY", aws_secret_access_key=None)
    )
    with pytest.raises(InvalidCredentials, match="incomplete"):
        sagemaker_client(proxy, "us-east-1")
