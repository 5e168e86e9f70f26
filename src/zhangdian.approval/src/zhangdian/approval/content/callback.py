"""A satisfaction call-back (回访) on a decided case: ratings, complaint flag, comments.

Append-only: a call-back is recorded by a supervisor and never edited or removed (the
oversight record workflow); a wrong one is corrected by a new call-back naming it.
"""

from plone import api
from plone.dexterity.content import Item
from plone.supermodel import model
from zhangdian.approval import _
from zhangdian.approval.casework.public import find_application
from zhangdian.approval.rules.application import DECIDED_STATES
from zhangdian.approval.rules.oversight import KeptRecord
from zope import schema
from zope.interface import Invalid
from zope.interface import implementer
from zope.interface import invariant
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


RATING = {"min": 1, "max": 5}

# 电话回访 or 现场评价: stored as the token, shown by its translated title.
CHANNELS = SimpleVocabulary(
    [
        SimpleTerm("phone", title=_("callback_channel_phone", default="Telephone call-back")),
        SimpleTerm("on_site", title=_("callback_channel_on_site", default="On-site evaluation")),
    ]
)


def check_decided_case(value):
    """The number of a decided application."""
    application = find_application((value or "").strip().upper())
    if application is None or api.content.get_state(application) not in DECIDED_STATES:
        raise Invalid(
            _("error_callback_case", default="Call-backs are made on decided applications only.")
        )
    return True


class ICallback(model.Schema):
    """What the caller notes during a phone or on-site visit."""

    application = schema.TextLine(
        title=_("label_callback_application", default="Application number"),
        constraint=check_decided_case,
    )
    channel = schema.Choice(
        title=_("label_callback_channel", default="Call-back by"),
        vocabulary=CHANNELS,
        default="phone",
    )
    process = schema.Int(title=_("label_rating_process", default="Process (1–5)"), **RATING)
    attitude = schema.Int(title=_("label_rating_attitude", default="Attitude (1–5)"), **RATING)
    efficiency = schema.Int(
        title=_("label_rating_efficiency", default="Efficiency (1–5)"), **RATING
    )
    integrity = schema.Int(title=_("label_rating_integrity", default="Integrity (1–5)"), **RATING)
    complaint = schema.Bool(
        title=_("label_callback_complaint", default="The applicant complains"),
        required=False,
        default=False,
    )
    comments = schema.Text(
        title=_("label_callback_comments", default="Comments"), required=False, max_length=5000
    )
    corrects = schema.ASCIILine(
        title=_("label_callback_corrects", default="Corrects the call-back (its UID)"),
        description=_(
            "help_callback_corrects",
            default="Only for a correction: the earlier call-back on the same case, which stays "
            "on record.",
        ),
        required=False,
        max_length=64,
    )
    correction_reason = schema.Text(
        title=_("label_callback_correction_reason", default="Why the earlier call-back is wrong"),
        required=False,
        max_length=5000,
    )

    @invariant
    def recorded_by_a_supervisor(data):
        """The one rule on who records (or corrects) a call-back, for the forms."""
        from zhangdian.approval.rules.oversight import may_record_callback

        verdict = may_record_callback(
            api.user.get_current().getId(),
            (getattr(data, "application", None) or "").strip().upper(),
            getattr(data, "corrects", None) or None,
            getattr(data, "correction_reason", None) or "",
        )
        if not verdict.allowed:
            raise Invalid(verdict.message)


@implementer(ICallback)
class Callback(KeptRecord, Item):
    """One call-back."""

    corrects = None
    correction_reason = None

    def rating(self):
        """The mean of the four ratings."""
        return (self.process + self.attitude + self.efficiency + self.integrity) / 4
