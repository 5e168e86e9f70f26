"""The cron job: expiry and the 30/7-day reminders, sent through a real SMTP server."""

from email.header import decode_header
from email.header import make_header
from plone import api
from zhangdian.approval.roster.lifecycle import expire_due
from zhangdian.approval.roster.reminders import send_reminders

import pytest
import time_machine
import transaction


@pytest.fixture
def active(functional_granted):
    """The granted authorisation of approver1."""
    return functional_granted


def run_job(day, job):
    """Run a job as the cron script would on `day`, and commit."""
    with time_machine.travel(f"{day} 02:00 +0800", tick=False):
        result = job()
        transaction.commit()
    return result


class TestExpiry:
    """Expired authorisations are moved to `expired`, once."""

    def test_expire_after_last_day_only(self, active):
        """Nothing on the last day; the authorisation the day after; nothing on a second run."""
        assert run_job("2026-12-31", expire_due) == []
        assert run_job("2027-01-01", expire_due) == [active]
        assert api.content.get_state(active) == "expired"
        assert run_job("2027-01-02", expire_due) == []


class TestReminders:
    """30 and 7 days before the end, to the approver and the working group."""

    def subjects(self, smtp):
        """Decoded subjects received so far."""
        return [str(make_header(decode_header(m["Subject"]))) for _rcpt, m in smtp.messages]

    def test_thresholds(self, active, smtp):
        """31 days: none; 30: one; same day again: none; 7: one; 6: none."""
        assert run_job("2026-11-30", send_reminders) == []
        assert [t for _a, t in run_job("2026-12-01", send_reminders)] == [30]
        assert run_job("2026-12-01", send_reminders) == []
        assert [t for _a, t in run_job("2026-12-24", send_reminders)] == [7]
        assert run_job("2026-12-25", send_reminders) == []
        assert len(smtp.messages) == 2
        recipients = set(smtp.messages[0][0])
        # Every member of the working group, the second one (four eyes) included.
        assert recipients == {
            "approver1@example.org",
            "workgroup@example.org",
            "workgroup2@example.org",
        }
        assert "2026-12-31" in self.subjects(smtp)[0]

    def test_missed_runs_send_one_reminder(self, active, smtp):
        """If cron did not run for weeks, only the nearest reminder goes out."""
        assert [t for _a, t in run_job("2026-12-26", send_reminders)] == [7]
        assert len(smtp.messages) == 1
