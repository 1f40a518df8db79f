"""Credential values of the callers the process holds clients for never reach a log line."""

import logging

import pytest

from community_sagemaker_imageversion import clients, log_redaction
from community_sagemaker_imageversion.clients import CallerSession, sagemaker_client


@pytest.fixture(autouse=True)
def nothing_cached():
    log_redaction.install()  # as the entrypoint does; this module may run before any import of it
    clients.CLIENTS.clear()
    log_redaction.redact_only(())
    yield
    clients.CLIENTS.clear()
    log_redaction.redact_only(())


def test_values_are_scrubbed_from_records_of_any_logger_at_any_level(caplog):
    log_redaction.redact_only(["AKIASECRETKEYID01", "session-token-value"])
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="botocore")  # someone lowers botocore's own level
    logging.getLogger("botocore.endpoint").debug(
        "Authorization: Credential=%s/x, X-Amz-Security-Token: %s",
        "AKIASECRETKEYID01",
        "session-token-value",
    )
    logging.getLogger("anything.else").warning("token session-token-value")
    text = caplog.text
    assert "AKIASECRETKEYID01" not in text
    assert "session-token-value" not in text
    assert text.count(log_redaction.REDACTED) == 3


def test_short_values_and_other_text_are_left_alone(caplog):
    log_redaction.redact_only(["abc", "", None, "long-enough-secret"])
    caplog.set_level(logging.INFO)
    logging.getLogger("x").info("abc stays; long-enough-secret goes")
    assert "abc stays; [redacted] goes" in caplog.text


def test_a_malformed_logging_call_is_not_made_worse(caplog):
    log_redaction.redact_only(["long-enough-secret"])
    record = logging.getLogRecordFactory()("x", logging.INFO, __file__, 1, "%s %s", ("one",), None)
    assert record.args == ("one",), "left for logging to report"


def test_the_cached_callers_values_are_redacted_and_shared_values_stay_redacted(monkeypatch):
    monkeypatch.setattr(clients, "MAX_CACHED_CLIENTS", 2)
    first = CallerSession("AKIAFIRSTCALLER1", "shared-secret-key", "shared-session-token")
    second = CallerSession("AKIASECONDCALLER", "shared-secret-key", "shared-session-token")
    third = CallerSession("AKIATHIRDCALLER1", "third-secret-key", "third-session-token")
    sagemaker_client(first, "us-east-1")
    sagemaker_client(second, "us-east-1")
    assert log_redaction.scrub("AKIAFIRSTCALLER1 shared-session-token") == "[redacted] [redacted]"
    sagemaker_client(third, "us-east-1")  # evicts the first caller
    assert log_redaction.scrub("shared-session-token") == "[redacted]", "the second still holds it"
    assert log_redaction.scrub("third-session-token") == "[redacted]"
    assert log_redaction.scrub("AKIAFIRSTCALLER1") == "AKIAFIRSTCALLER1", "no longer served"


def test_with_no_value_to_keep_out_a_record_is_left_as_logging_made_it():
    """Before any caller's client exists and before any log delivery role's credentials (this
    process's earlier tests may have left some), nothing is scrubbed: a value that was kept out
    earlier reaches the record again, arguments unformatted."""
    log_redaction.redact_only(["AKIASECRETKEYID01"])
    log_redaction.redact_only(())
    log_redaction.redact_only((), "provider")
    record = logging.getLogRecordFactory()(
        "x", logging.INFO, __file__, 1, "key %s", ("AKIASECRETKEYID01",), None
    )
    assert (record.msg, record.args) == ("key %s", ("AKIASECRETKEYID01",))
    assert record.getMessage() == "key AKIASECRETKEYID01"
