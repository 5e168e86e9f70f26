"""Quarterly spot checks (抽查): a reproducible random sample of each approver's decided cases.

The sample is drawn per approver from the cases they decided in the quarter, sorted by
number, with a random generator seeded by the recorded seed and the approver's id: anyone
holding the seed redraws the same sample. Each approver gets at least `share` of their
cases, rounded up. A supervisor may record a finding on any sampled case but never on a case
they decided themselves (`rules.oversight.may_record_finding`); findings are append-only.
"""

from datetime import date
from datetime import datetime
from datetime import time
from plone import api
from zhangdian.approval import _
from zhangdian.approval.audit import journal
from zhangdian.approval.clock import BUREAU_TIMEZONE
from zhangdian.approval.clock import now
from zhangdian.approval.rules.application import DECIDED_STATES
from zhangdian.approval.rules.oversight import OversightRefused
from zhangdian.approval.rules.oversight import may_record_finding

import math
import random
import re


DEFAULT_SHARE = 0.20
FINDINGS = ("compliant", "problem")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class SpotCheckRefused(OversightRefused, ValueError):
    """A finding that cannot be recorded; `.message` is the translatable reason."""

    # The spot-check endpoint has always typed its refusals so (Forbidden for one's own case).
    code = "BadRequest"


def quarter_bounds(quarter):
    """The first and last moment of a quarter given as '2026-Q1'; ValueError when malformed."""
    match = _QUARTER.match(quarter or "")
    if match is None:
        raise ValueError(f"not a quarter: {quarter!r} (e.g. 2026-Q1)")
    year, number = int(match.group(1)), int(match.group(2))
    first = date(year, 3 * number - 2, 1)
    following = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    start = datetime.combine(first, time(0), BUREAU_TIMEZONE)
    end = datetime.combine(following, time(0), BUREAU_TIMEZONE)
    return start, end


def sample_size(count, share):
    """At least `share` of `count` cases, rounded up."""
    return min(count, math.ceil(count * share - 1e-9))


def draw(cases_by_approver, share, seed):
    """{approver: sorted sample of case numbers}, the same for the same cases, share and seed."""
    sample = {}
    for approver in sorted(cases_by_approver):
        cases = sorted(cases_by_approver[approver])
        # Reproducible on purpose: the recorded seed must redraw the very same sample.
        generator = random.Random(f"{seed}:{approver}")  # noqa: S311
        sample[approver] = sorted(generator.sample(cases, sample_size(len(cases), share)))
    return sample


def decided_in(quarter):
    """{approver: [numbers]} of the applications decided in the quarter."""
    start, end = quarter_bounds(quarter)
    brains = api.content.find(
        portal_type="Application",
        review_state=DECIDED_STATES,
        decided_at={"query": (start, end), "range": "min:max"},
        unrestricted=True,
    )
    cases = {}
    for brain in brains:
        # The catalog's range includes its upper end; the next quarter's first moment is not ours.
        if brain.decided_by and brain.decided_at < end:
            cases.setdefault(brain.decided_by, []).append(brain.application_number)
    return cases


def draw_spot_check(spot_check):
    """Draw the sample of `spot_check` (once) from the quarter's decided cases and journal it."""
    if spot_check.sample:
        return spot_check.sample
    if not spot_check.seed:
        spot_check.seed = f"{random.SystemRandom().getrandbits(64):016x}"
    spot_check.sample = draw(decided_in(spot_check.quarter), spot_check.share, spot_check.seed)
    journal.record(
        "spotcheck.drawn",
        target=spot_check.quarter,
        after={"seed": spot_check.seed, "share": spot_check.share, "sample": spot_check.sample},
    )
    return spot_check.sample


def record_finding(
    spot_check, number, finding, inspector=None, corrects=None, reason="", **details
):
    """Append an inspector's finding (or a correction of entry `corrects`) and journal it.

    Nothing is ever overwritten: a correction is a new entry naming the one it corrects,
    which stays in `spot_check.entries`; SpotCheckRefused says why not.
    """
    inspector = inspector or api.user.get_current().getId()
    verdict = may_record_finding(inspector, spot_check, number, corrects, reason)
    if not verdict.allowed:
        raise verdict.refusal(SpotCheckRefused)
    if finding not in FINDINGS:
        raise SpotCheckRefused(
            _("spotcheck_finding", default="The finding must be compliant or problem.")
        )
    if finding == "problem" and not (details.get("category") and details.get("description")):
        raise SpotCheckRefused(
            _(
                "spotcheck_problem_details",
                default="A problem needs its category and a description.",
            )
        )
    corrected = spot_check.latest_entry(number) if corrects is not None else None
    entry = {
        "id": len(spot_check.entries) + 1,
        "number": number,
        "finding": finding,
        "inspector": inspector,
        "at": now().isoformat(),
        "corrects": corrects,
        "reason": reason or None,
        **details,
    }
    spot_check.entries = (*spot_check.entries, entry)
    journal.record(
        "spotcheck.corrected" if corrected else f"spotcheck.{finding}",
        target=number,
        before=corrected,
        after={"spot_check": spot_check.quarter, **entry},
    )
    return entry
