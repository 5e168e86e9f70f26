"""Open cases nobody may act on, and the month the front page's figures cover."""

from datetime import date
from tests.helpers.approval import act
from tests.helpers.approval import transition
from zhangdian.approval.casework.figures import month_bounds
from zhangdian.approval.casework.stranded import stranded_cases


def test_a_covered_case_is_not_stranded(portal, granted, submit, clock):
    """approver1 covers 经贸商事: a submitted XK-T-001 has someone to act on it."""
    clock("2026-03-02")
    submit("XK-T-001")
    assert stranded_cases() == []


def test_a_matter_nobody_covers(portal, granted, submit, clock):
    """No authorisation covers 社会事务: its case waits for the working group."""
    clock("2026-03-02")
    case = submit("XK-T-101")
    assert stranded_cases() == [case]


def test_the_accepting_approver_was_suspended(portal, granted, submit, clock):
    """Only the accepting approver may go on; once suspended, the case is stranded."""
    clock("2026-03-02")
    case = submit("XK-T-001")
    act(portal, case, "accept", "approver1")
    assert stranded_cases() == []
    transition(portal, granted, "suspend", comment="调查期间暂停")
    assert stranded_cases() == [case]


def test_after_the_authorisation_ends(portal, granted, submit, clock):
    """On 2027-01-01 approver1's 2026 authorisation no longer covers anything."""
    clock("2026-12-30")
    case = submit("XK-T-001")
    clock("2027-01-01")
    assert stranded_cases() == [case]


def test_month_bounds():
    """A month runs from its first midnight to the next month's, December included."""
    start, end = month_bounds(date(2026, 12, 15))
    assert (start.isoformat(), end.isoformat()) == (
        "2026-12-01T00:00:00+08:00",
        "2027-01-01T00:00:00+08:00",
    )
    start, end = month_bounds(date(2026, 3, 1))
    assert (start.date(), end.date()) == (date(2026, 3, 1), date(2026, 4, 1))
