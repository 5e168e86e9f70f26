"""A quarter's spot check (抽查): the share to draw, the recorded seed, the sample, findings."""

from plone.dexterity.content import Item
from plone.supermodel import model
from zhangdian.approval import _
from zhangdian.approval.rules.oversight import KeptRecord
from zhangdian.approval.supervision.spot_checks import DEFAULT_SHARE
from zhangdian.approval.supervision.spot_checks import quarter_bounds
from zope import schema
from zope.interface import Invalid
from zope.interface import implementer


def check_quarter(value):
    """A quarter written as 2026-Q1."""
    try:
        quarter_bounds(value)
    except ValueError as error:
        raise Invalid(
            _("error_quarter", default="Write the quarter as 2026-Q1 (year, Q, 1 to 4).")
        ) from error
    return True


class ISpotCheck(model.Schema):
    """What the working group sets when it starts a quarter's check."""

    quarter = schema.TextLine(
        title=_("label_quarter", default="Quarter"),
        description=_("help_quarter", default="e.g. 2026-Q1"),
        constraint=check_quarter,
    )
    share = schema.Float(
        title=_("label_share", default="Share of each approver's decided cases"),
        min=0.2,
        max=1.0,
        default=DEFAULT_SHARE,
    )
    seed = schema.TextLine(
        title=_("label_seed", default="Seed (empty: drawn at random and recorded)"),
        required=False,
        max_length=64,
    )


@implementer(ISpotCheck)
class SpotCheck(KeptRecord, Item):
    """The sample ({approver: [numbers]}) and the append-only finding entries are kept here.

    `entries` is a tuple of finding entries in the order they were recorded, replaced as a
    whole by `supervision.spot_checks.record_finding` and by nothing else; `findings` is the
    latest entry per case, which is what the assessment counts.
    """

    sample = None
    entries = ()

    @property
    def findings(self):
        """{number: the latest finding entry on that case}."""
        latest = {}
        for entry in self.entries:
            latest[entry["number"]] = entry
        return latest

    def entries_of(self, number):
        """Every finding entry on case `number`, oldest first (corrections included)."""
        return [entry for entry in self.entries if entry["number"] == number]

    def latest_entry(self, number):
        """The entry that counts for case `number`, or None."""
        entries = self.entries_of(number)
        return entries[-1] if entries else None
