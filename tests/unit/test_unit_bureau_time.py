"""browser/dates: every moment for people in Beijing time, 24-hour clock, four-digit year."""

from DateTime import DateTime
from datetime import UTC
from datetime import date
from datetime import datetime
from zhangdian.approval.browser.dates import bureau_date
from zhangdian.approval.browser.dates import bureau_time

import pytest


@pytest.mark.parametrize(
    "value, shown",
    [
        (datetime(2026, 12, 2, 6, 5, tzinfo=UTC), "2026-12-02 14:05"),
        (datetime(2026, 12, 2, 16, 30, tzinfo=UTC), "2026-12-03 00:30"),
        (DateTime("2026/12/02 06:05:00 GMT+0"), "2026-12-02 14:05"),
        (DateTime("2026/12/02 14:05:00 GMT+8"), "2026-12-02 14:05"),
        ("2026-12-02T14:05:09+08:00", "2026-12-02 14:05"),
        (datetime(2026, 12, 2, 14, 5), "2026-12-02 14:05"),
        (date(2026, 1, 2), "2026-01-02"),
        (None, ""),
        ("", ""),
    ],
)
def test_bureau_time(value, shown):
    """Any zone in, Beijing out; an afternoon stays 14:05, never 2:05 PM."""
    assert bureau_time(value) == shown


def test_bureau_date():
    """The Beijing day of a moment: late evening UTC is the next day in Zibo."""
    assert bureau_date(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == "2027-01-01"
    assert bureau_date(date(2026, 3, 9)) == "2026-03-09"
    assert bureau_date(None) == ""
