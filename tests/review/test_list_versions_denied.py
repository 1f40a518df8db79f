"""ListImageVersions is new in the busy path and only tunes the retry's timing: a role that
lacks it (a stack's service role written for the permissions of an earlier version of the type)
makes a delete or create that merely met a busy image FAIL with AccessDenied, where a backoff
without the queue would finish."""

from tests.botocore_errors import client_error
from tests.review.fake import props, world


def test_a_delete_that_meets_a_busy_image_without_list_permission_still_finishes(monkeypatch):
    with world(monkeypatch) as (_clock, sm, driver):
        sm.add(1, "CREATED", created_ago=100.0)
        sm.add(2, "CREATING", created_ago=1.0, done_in=9.0)
        sm.fail["ListImageVersions"] = [
            client_error("AccessDeniedException", "ListImageVersions", message="not authorized")
        ] * 5
        out = driver.run("DELETE", props(ImageVersionArn=sm.arn(1), Version=1))
        assert out.status == "SUCCESS", out.final


def test_a_create_that_meets_a_busy_image_without_list_permission_still_finishes(monkeypatch):
    with world(monkeypatch) as (_clock, sm, driver):
        sm.add(1, "CREATING", created_ago=1.0, done_in=9.0)
        sm.fail["ListImageVersions"] = [
            client_error("AccessDeniedException", "ListImageVersions", message="not authorized")
        ] * 5
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
