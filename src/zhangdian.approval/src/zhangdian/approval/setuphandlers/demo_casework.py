"""Decided demo cases, a spot check with findings and a call-back, for the desks to show.

They need the approvers' signing tokens, which the demo PKI makes after the site
(instance/scripts/test_pki.py), so that script creates them, once: the site remembers it did
(demo_provisioning records) and a site without the demo profile is never touched.
"""

from DateTime import DateTime
from datetime import timedelta
from plone import api
from zhangdian.approval import logger
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.clock import now
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.rules.deadlines import start_clock
from zhangdian.approval.setuphandlers import APPLICATIONS_ID
from zhangdian.approval.setuphandlers import ROSTER_ID
from zhangdian.approval.setuphandlers.demo import register_demo_application
from zhangdian.approval.setuphandlers.demo_provisioning import digest
from zhangdian.approval.setuphandlers.demo_provisioning import records
from zhangdian.approval.signing.decision import sign_with_server_token
from zhangdian.approval.supervision.spot_checks import record_finding
from zhangdian.approval.workdays import bureau_calendar
from zope.container.interfaces import INameChooser

import transaction


DEMO_PROFILE = "zhangdian.approval:demo"
RECORD_KEY = "casework.decided"
APPROVER = "approver1"
MATTER = "XK-JMSS-001"
# transition, reason, decided late (accepted more working days ago than the matter promises)
DEMO_DECISIONS = (
    ("approve", "", False),
    ("approve", "", True),
    ("refuse", "申请材料不符合法定形式：未提交经营场所平面布局图。", False),
)


def is_demo_site(portal):
    """Whether the demo profile was applied to the site."""
    setup = api.portal.get_tool("portal_setup")
    return setup.getLastVersionForProfile(DEMO_PROFILE) != "unknown"


def create_demo_decisions(pin, report=logger.info):
    """Decide, sign and oversee the demo cases unless done before; the numbers or None."""
    portal = api.portal.get()
    found = records(portal)
    if not is_demo_site(portal) or RECORD_KEY in found:
        return None
    savepoint = transaction.savepoint()
    try:
        numbers = _decide_and_oversee(pin)
    except ApprovalError as error:
        # Expired authorisation, a certificate the bureau rebound, no token yet: the portal
        # still starts, without half-made cases, and the next start tries again.
        savepoint.rollback()
        report(f"Demo cases not made: {error}")
        return None
    found[RECORD_KEY] = {"sha256": digest(numbers), "at": now().isoformat()}
    report(f"Demo cases decided by {APPROVER}: {', '.join(numbers)}")
    return numbers


def _decide_and_oversee(pin):
    """The decided cases, the quarter's spot check with findings, a call-back; the numbers."""
    portal = api.portal.get()
    numbers = [_decided(portal, *decision, pin=pin) for decision in DEMO_DECISIONS]
    on_time, late, refused = numbers
    quarter = _quarter(bureau_day())
    check = _oversight_record(
        "SpotCheck",
        "workgroup",
        title=f"{quarter} 季度抽查（演示）",
        quarter=quarter,
        share=1.0,
    )
    with api.env.adopt_user(username="supervisor"):
        record_finding(check, on_time, "compliant")
        record_finding(check, late, "problem", category="时限", description="超过承诺时限办结")
        record_finding(check, refused, "compliant")
    _oversight_record(
        "Callback",
        "supervisor",
        title="回访：超期办结（演示）",
        application=late,
        channel="phone",
        process=3,
        attitude=4,
        efficiency=2,
        integrity=5,
        complaint=True,
        comments="申请人反映办理超过承诺时限，未收到进度告知。",
    )
    return numbers


def _quarter(day):
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _decided(portal, transition, reason, late, pin):
    """Register as applicant1, accept, tick the checklist and sign the decision as approver1."""
    application = register_demo_application(portal[APPLICATIONS_ID], MATTER)
    with api.env.adopt_user(username=APPROVER):
        api.portal.get_tool("portal_workflow").doActionFor(
            application, "accept", comment="演示数据：材料齐全，予以受理"
        )
        if late:
            _date_acceptance_back(application)
        matter = application.matter_object()
        application.checked_materials = [row["name"] for row in matter.materials]
        application.legal_basis_confirmed = True
        application.conditions_confirmed = True
        sign_with_server_token(application, transition, reason, pin)
    return application.number


def _date_acceptance_back(application):
    """Move the acceptance back past the promised time limit, as the demo dates its history.

    The demo cannot wait for a deadline to pass: like approver3's expired authorisation,
    the acceptance is recorded as it would have happened (the journal keeps today's entry).
    """
    calendar = bureau_calendar()
    promised = application.matter_object().promised_days
    day = bureau_day()
    while calendar.working_days_between(day, bureau_day()) <= promised + 2:
        day -= timedelta(days=1)
    moment = application.accepted_at - (bureau_day() - day)
    application.accepted_at = moment
    start_clock(application, moment)
    history = application.workflow_history["application_workflow"]
    accepted = dict(history[-1])
    accepted["time"] = DateTime(moment.isoformat())
    application.workflow_history["application_workflow"] = (*history[:-1], accepted)
    application.reindexObject()


def _oversight_record(type_name, userid, **fields):
    """An oversight record in the roster, named when created (they are never renamed)."""
    roster = api.portal.get()[ROSTER_ID]
    name = INameChooser(roster).chooseName(fields["title"], roster)
    with api.env.adopt_user(username=userid):
        return api.content.create(container=roster, type=type_name, id=name, **fields)
