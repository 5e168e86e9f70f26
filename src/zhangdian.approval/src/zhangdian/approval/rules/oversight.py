"""The one answer to "may U record (or correct) this oversight entry?": findings and call-backs.

Oversight records are append-only (监督留痕): a spot-check finding or a call-back is written
by the supervisor who made it and never changed; a correction is a new entry naming the one
it corrects, which stays visible. The REST finding service, the call-back add form and the
call-back subscriber (every other route that creates one) ask these two functions, and the
oversight record workflow keeps every permission that could edit, move or delete a record
from every role.

Call-backs are recorded by supervisors, not by the working group: the working group grants
and renews the authorisations the call-backs speak of (DESIGN.md puts call-backs among the
supervisors' duties: "spot-check, call back, escalate"), so it must not write their evidence.
"""

from dataclasses import dataclass
from dataclasses import field
from plone import api
from zhangdian.approval import _
from zhangdian.approval.casework.frozen import RefusedChange
from zhangdian.approval.errors import Refused
from zope.i18nmessageid import Message


SUPERVISOR = "Supervisor"
# Granted by the oversight record workflow on a spot check, to supervisors only.
RECORD_FINDING = "zhangdian.approval: Record Finding"

REASONS = {
    "allowed": _("oversight_allowed", default="You may record this entry."),
    "not_supervisor": _(
        "oversight_not_supervisor",
        default="Only a supervisor records spot-check findings and call-backs; the working "
        "group, site administrators and Managers do not.",
    ),
    "not_sampled": _(
        "spotcheck_not_sampled", default="This case is not in the spot check's sample."
    ),
    "own_case": _(
        "spotcheck_own_case",
        default="You decided this case yourself; another inspector must check it.",
    ),
    "already_recorded": _(
        "oversight_already_recorded",
        default="This case already has entry ${entry}; it is never overwritten. Record a "
        "correction that names the entry it corrects.",
    ),
    "unknown_entry": _(
        "oversight_unknown_entry",
        default="There is no entry ${entry} on this case to correct.",
    ),
    "not_latest": _(
        "oversight_not_latest",
        default="Entry ${entry} was already corrected by entry ${latest}; a correction refers "
        "to the latest entry.",
    ),
    "correction_reason": _(
        "oversight_correction_reason",
        default="A correction needs the reason why the earlier entry was wrong.",
    ),
}

# The REST `type` and HTTP status of each refusal; the first two keep the codes the
# spot-check endpoint has always answered with.
CODES = {
    "not_sampled": ("BadRequest", 400),
    "own_case": ("Forbidden", 403),
    "not_supervisor": ("oversight_not_supervisor", 403),
    "already_recorded": ("oversight_already_recorded", 409),
    "unknown_entry": ("oversight_unknown_entry", 409),
    "not_latest": ("oversight_not_latest", 409),
    "correction_reason": ("oversight_correction_reason", 400),
}


class OversightRefused(Refused):
    """An oversight entry that may not be recorded; nothing is stored."""


class OversightRecordKept(RefusedChange):
    """Removing, moving, renaming or copying an oversight record was refused."""

    code = "oversight_record_kept"


RECORD_KEPT = _(
    "refuse_oversight_record_change",
    default="Oversight records are append-only: they are never removed, moved, renamed or "
    "copied. Record a correction instead.",
)


def record_target(record):
    """How the journal names an oversight record: its type, id and case or quarter."""
    case = getattr(record, "application", None) or getattr(record, "quarter", None)
    return f"{record.portal_type} {record.getId()} {case or ''}".strip()


class KeptRecord:
    """Mixin of oversight records: Zope's copy, cut and rename are refused with the reason."""

    def cb_isCopyable(self):
        """Never copied (see rules.oversight)."""
        raise OversightRecordKept(RECORD_KEPT, target=record_target(self))

    def cb_isMoveable(self):
        """Never moved or renamed (see rules.oversight)."""
        raise OversightRecordKept(RECORD_KEPT, target=record_target(self))


@dataclass(frozen=True)
class OversightVerdict:
    """Whether an entry may be recorded, and why (not)."""

    allowed: bool
    reason: str
    mapping: dict = field(default_factory=dict)

    @property
    def message(self) -> Message:
        """The translatable explanation of the verdict."""
        return Message(REASONS[self.reason], mapping=dict(self.mapping) or None)

    def refusal(self, kind=OversightRefused) -> OversightRefused:
        """The error (of class `kind`) to raise for a refused verdict."""
        code, status = CODES[self.reason]
        return kind(self.message, code=code, status=status)


def is_supervisor(userid) -> bool:
    """Whether `userid` holds the Supervisor role site-wide (directly or through a group)."""
    if not userid or api.user.get(userid=userid) is None:
        return False
    return SUPERVISOR in api.user.get_roles(username=userid)


def _correction(latest, corrects, reason, entry_of):
    """The verdict on a correction chain: `latest` is the newest entry (None: none yet)."""
    if corrects is None:
        if latest is not None:
            return OversightVerdict(False, "already_recorded", {"entry": latest})
        return OversightVerdict(True, "allowed")
    if entry_of(corrects) is None:
        return OversightVerdict(False, "unknown_entry", {"entry": corrects})
    if corrects != latest:
        return OversightVerdict(False, "not_latest", {"entry": corrects, "latest": latest})
    if not (reason or "").strip():
        return OversightVerdict(False, "correction_reason")
    return OversightVerdict(True, "allowed")


def may_record_finding(userid, spot_check, number, corrects=None, reason="") -> OversightVerdict:
    """May `userid` record a finding on `number` in `spot_check` (correcting entry `corrects`)?"""
    if not is_supervisor(userid) or not api.user.has_permission(
        RECORD_FINDING, username=userid, obj=spot_check
    ):
        return OversightVerdict(False, "not_supervisor")
    decided_by = next(
        (a for a, numbers in (spot_check.sample or {}).items() if number in numbers), None
    )
    if decided_by is None:
        return OversightVerdict(False, "not_sampled")
    if decided_by == userid:
        return OversightVerdict(False, "own_case")
    latest = spot_check.latest_entry(number)
    entries = {entry["id"]: entry for entry in spot_check.entries_of(number)}
    return _correction(latest and latest["id"], corrects, reason, entries.get)


def may_record_callback(
    userid, number, corrects=None, reason="", recording=None
) -> OversightVerdict:
    """May `userid` record a call-back on case `number` (correcting call-back UID `corrects`)?

    `recording` is the call-back being added, when it already exists (the add subscriber).
    """
    if not is_supervisor(userid):
        return OversightVerdict(False, "not_supervisor")
    if not corrects:
        return OversightVerdict(True, "allowed")
    skip = api.content.get_uuid(recording) if recording is not None else None
    by_uid = {api.content.get_uuid(call): call for call in callbacks_on(number)}
    by_uid.pop(skip, None)
    latest = _latest_correcting(by_uid, corrects)
    return _correction(latest, corrects, reason, by_uid.get)


def callbacks_on(number):
    """Every call-back recorded on case `number`, oldest first, whoever is asking."""
    brains = api.content.find(portal_type="Callback", unrestricted=True, sort_on="created")
    calls = [brain._unrestrictedGetObject() for brain in brains]
    return [call for call in calls if call.application == number]


def _latest_correcting(by_uid, uid):
    """The UID at the end of the correction chain starting at `uid` (itself if uncorrected)."""
    corrected_by = {call.corrects: key for key, call in by_uid.items() if call.corrects}
    seen = set()
    while uid in corrected_by and uid not in seen:
        seen.add(uid)
        uid = corrected_by[uid]
    return uid


def current_callbacks(calls):
    """The call-backs no later one corrects: what the assessment counts."""
    corrected = {call.corrects for call in calls if getattr(call, "corrects", None)}
    return [call for call in calls if api.content.get_uuid(call) not in corrected]
