"""The desks: where each role lands after login and what the staff menu leads to.

Every entry of the menu names the permission that opens its page, and the approver's desk
also asks the roster whether the user is an approver at all (approval accounts are plain
members: the approver role is local to each case).
"""

from dataclasses import dataclass
from plone import api
from plone.app.layout.viewlets import ViewletBase
from plone.base.interfaces import IRedirectAfterLogin
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlsplit
from zhangdian.approval import _
from zhangdian.approval.accounts.names import person_name
from zhangdian.approval.browser.applications import application_row
from zhangdian.approval.browser.audit import newest_journal_entries
from zhangdian.approval.browser.dates import bureau_date
from zhangdian.approval.casework.stranded import stranded_cases
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.roster.lifecycle import is_renewed
from zhangdian.approval.roster.queries import approvers_without_current_authorization
from zhangdian.approval.roster.queries import expiring_soon
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.authorization import authorizations_of
from zhangdian.approval.rules.deadlines import deadline_status
from zhangdian.approval.rules.workdays import next_year_missing
from zhangdian.approval.setuphandlers import APPLICATIONS_ID
from zhangdian.approval.setuphandlers import MATTER_LIST_ID
from zhangdian.approval.setuphandlers import ROSTER_ID
from zhangdian.approval.workdays import bureau_calendar
from zope.interface import implementer


VIEW_QUEUE = "zhangdian.approval: View Approval Queue"
MANAGE_AUTHORIZATIONS = "zhangdian.approval: Manage Authorizations"
MANAGE_MATTER_LIST = "zhangdian.approval: Manage Matter List"
VIEW_AUDIT = "zhangdian.approval: View Audit Journal"
VIEW_ASSESSMENT = "zhangdian.approval: View Assessment"
ADD_APPLICATION = "zhangdian.approval: Add Application"
ADD_SPOT_CHECK = "zhangdian.approval: Add SpotCheck"
ADD_CALLBACK = "zhangdian.approval: Add Callback"


def is_approver(userid):
    """True for an approval account: one that holds or held an authorisation."""
    return bool(userid) and bool(authorizations_of(userid))


@dataclass(frozen=True)
class Entry:
    """One line of the staff menu: its page, the permission that opens it, and whether a desk."""

    id: str
    title: object
    path: str
    permission: str
    on: str = ""  # the folder the permission is checked on ("" is the site)
    desk: bool = False
    approvers_only: bool = False

    def allowed(self, portal, userid):
        """May the current user open the page?"""
        context = portal.unrestrictedTraverse(self.on) if self.on else portal
        if not api.user.has_permission(self.permission, obj=context):
            return False
        return is_approver(userid) if self.approvers_only else True


# Desks first (the first allowed desk is where login lands), then the pages they lead to.
MENU = (
    Entry(
        "my-tasks",
        _("menu_my_tasks", default="My tasks"),
        "@@approval-queue",
        VIEW_QUEUE,
        desk=True,
        approvers_only=True,
    ),
    Entry(
        "workbench",
        _("menu_workbench", default="Workbench"),
        "@@workbench",
        MANAGE_AUTHORIZATIONS,
        desk=True,
    ),
    Entry(
        "supervision",
        _("menu_supervision", default="Supervision desk"),
        "@@supervision-desk",
        VIEW_AUDIT,
        desk=True,
    ),
    Entry(
        "applications",
        _("menu_applications", default="Applications"),
        APPLICATIONS_ID,
        ADD_APPLICATION,
        on=APPLICATIONS_ID,
    ),
    Entry(
        "roster",
        _("menu_roster", default="Approver roster"),
        f"{ROSTER_ID}/@@authorization-dashboard",
        MANAGE_AUTHORIZATIONS,
        on=ROSTER_ID,
    ),
    Entry(
        "assessment",
        _("menu_assessment", default="Annual assessment"),
        "@@annual-assessment",
        VIEW_ASSESSMENT,
    ),
    Entry("journal", _("menu_journal", default="Audit journal"), "@@audit-journal", VIEW_AUDIT),
)


def menu_for(portal):
    """The entries the current user may open: dicts with id, title, url, desk."""
    if api.user.is_anonymous():
        return []
    userid = api.user.get_current().getId()
    base = portal.absolute_url()
    return [
        {"id": entry.id, "title": entry.title, "url": f"{base}/{entry.path}", "desk": entry.desk}
        for entry in MENU
        if entry.allowed(portal, userid)
    ]


class StaffMenuViewlet(ViewletBase):
    """The desks and pages of the current user, their name and the way out; nothing for visitors."""

    def update(self):
        super().update()
        self.anonymous = api.user.is_anonymous()
        self.entries = menu_for(api.portal.get())

    def fullname(self):
        """The user's full name, else their id."""
        return person_name(api.user.get_current().getId())

    def logout_url(self):
        """Plone's log-out address."""
        return f"{api.portal.get().absolute_url()}/logout"


@implementer(IRedirectAfterLogin)
class DeskAfterLogin:
    """Login lands on the user's desk unless they were on their way to a page of their own."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self, came_from=None, is_initial_login=False):
        portal = api.portal.get()
        desks = [entry for entry in menu_for(portal) if entry["desk"]]
        if not desks or not _is_front(came_from, portal):
            return came_from
        return desks[0]["url"]


def _is_front(url, portal):
    """True for no address, the home page or a login page: nowhere a person meant to go."""
    if not url:
        return True
    path = urlsplit(url).path.rstrip("/")
    home = urlsplit(portal.absolute_url()).path.rstrip("/")
    return path in (home, f"{home}/index_html", f"{home}/@@bureau-front") or path.endswith(
        ("/login", "/login_form", "/@@login", "/logged_out")
    )


def _state_title(obj):
    workflow = api.portal.get_tool("portal_workflow")
    return workflow.getTitleForStateOnType(api.content.get_state(obj), obj.portal_type)


def _find(**query):
    return [
        brain._unrestrictedGetObject() for brain in api.content.find(unrestricted=True, **query)
    ]


def oversight_rows(portal_type):
    """Spot checks (newest quarter first) or call-backs (newest first) as rows."""
    if portal_type == "SpotCheck":
        rows = []
        for check in sorted(_find(portal_type="SpotCheck"), key=lambda c: c.quarter, reverse=True):
            findings = check.findings or {}
            sampled = sum(len(numbers) for numbers in (check.sample or {}).values())
            problems = [
                {"number": number, **finding}
                for number, finding in sorted(findings.items())
                if finding.get("finding") == "problem"
            ]
            rows.append(
                {
                    "url": check.absolute_url(),
                    "title": check.Title(),
                    "quarter": check.quarter,
                    "sampled": sampled,
                    "checked": len(findings),
                    "due": sampled - len(findings),
                    "problems": problems,
                }
            )
        return rows
    return [
        {
            "url": call.absolute_url(),
            "title": call.Title(),
            "application": call.application,
            "rating": f"{call.rating():.2f}",
            "complaint": bool(call.complaint),
            "day": bureau_date(call.created()),
        }
        for call in _find(portal_type="Callback", sort_on="created", sort_order="descending")
    ]


class Desk(BrowserView):
    """What every desk shares: the portal and its folders."""

    # Spot checks and call-backs live in the roster.
    roster_id = ROSTER_ID

    desk_macros = ViewPageTemplateFile("templates/desk_macros.pt")

    def portal_url(self):
        """The site's address."""
        return self.context.absolute_url()

    def spot_checks(self):
        """Every spot check with its progress and problem findings."""
        return oversight_rows("SpotCheck")

    def callbacks(self):
        """Every call-back, newest first."""
        return oversight_rows("Callback")

    def may(self, permission, path=""):
        """May the current user do `permission` on the site (or the folder at `path`)?"""
        context = self.context.unrestrictedTraverse(path) if path else self.context
        return bool(api.user.has_permission(permission, obj=context))


class WorkbenchView(Desk):
    """工作台: roster, renewals, calendar, stranded cases, spot checks, call-backs, matter list."""

    matters_id = MATTER_LIST_ID

    def roster(self):
        """Every authorisation: approver's name, scope, state, period, newest first per name."""
        rows = []
        categories = {c.getId(): c.Title() for c in self.context[MATTER_LIST_ID].objectValues()}
        for authorization in _find(portal_type="ApproverAuthorization", sort_on="valid_from"):
            scope = [categories.get(c, c) for c in authorization.scope_categories or ()]
            scope += list(authorization.scope_matters or ())
            rows.append(
                {
                    "url": authorization.absolute_url(),
                    "name": person_name(authorization.approver),
                    "scope": "、".join(scope),
                    "state": _state_title(authorization),
                    "valid_from": bureau_date(authorization.valid_from),
                    "valid_until": bureau_date(authorization.valid_until),
                }
            )
        return sorted(rows, key=lambda row: (row["name"], row["valid_from"]), reverse=False)

    def renewals(self):
        """Authorisations ending within 30 days that have no successor yet."""
        today = bureau_day()
        return [
            {
                "url": authorization.absolute_url(),
                "name": person_name(authorization.approver),
                "valid_until": bureau_date(authorization.valid_until),
                "days_left": (authorization.valid_until - today).days,
            }
            for authorization in expiring_soon()
            if not is_renewed(authorization)
        ]

    def lapsed(self):
        """Names of approvers left without a current authorisation."""
        return [person_name(userid) for userid in approvers_without_current_authorization()]

    def calendar(self):
        """Whether this year's and next year's holidays are entered (deadlines need them)."""
        covered = bureau_calendar().covered_years()
        year = bureau_day().year
        return [{"year": y, "covered": y in covered} for y in (year, year + 1)]

    def calendar_warning(self):
        """From 1 November, next year when its holidays are still missing (else None)."""
        return next_year_missing(bureau_calendar(), bureau_day())

    def stranded(self):
        """Open cases nobody may act on now."""
        return [application_row(application) for application in stranded_cases()]

    def desk(self):
        """What 工作台 shows, as data."""
        return {
            "roster": self.roster(),
            "renewals": self.renewals(),
            "lapsed": self.lapsed(),
            "calendar": self.calendar(),
            "calendar_warning": self.calendar_warning(),
            "stranded": self.stranded(),
            "spot_checks_due": [row for row in self.spot_checks() if row["due"]],
            "callbacks": self.callbacks(),
        }


class SupervisionDeskView(Desk):
    """监督台: overdue cases, spot checks and findings, complaints, the journal, the assessment."""

    def overdue(self):
        """Open cases past their due date, oldest due first."""
        cases = [
            application
            for application in _find(portal_type="Application", review_state=list(OPEN_STATES))
            if deadline_status(application) == "overdue"
        ]
        cases.sort(key=lambda application: application.due_date)
        return [application_row(application) for application in cases]

    def complaints(self):
        """Call-backs in which the applicant complained."""
        return [row for row in self.callbacks() if row["complaint"]]

    def findings(self):
        """The problem findings of every spot check, with the check they belong to."""
        return [
            {"spot_check": row["title"], "quarter": row["quarter"], **problem}
            for row in self.spot_checks()
            for problem in row["problems"]
        ]

    def desk(self):
        """What 监督台 shows, as data."""
        return {
            "overdue": self.overdue(),
            "findings": self.findings(),
            "complaints": self.complaints(),
            "spot_checks": self.spot_checks(),
        }

    def journal_entries(self, count=10):
        """The newest journal entries, as people read them."""
        return newest_journal_entries(count)
