"""Vocabularies of zhangdian.approval."""

from Acquisition import aq_base
from plone import api
from zhangdian.approval import _
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


MATERIAL_FORM_TITLES = {
    "original": _("material_form_original", default="Original"),
    "copy": _("material_form_copy", default="Copy"),
    "original_and_copy": _("material_form_original_and_copy", default="Original and copy"),
}

APPRAISAL_TITLES = {
    "excellent": _("appraisal_excellent", default="Excellent"),
    "competent": _("appraisal_competent", default="Competent"),
    "basically_competent": _("appraisal_basically_competent", default="Basically competent"),
    "incompetent": _("appraisal_incompetent", default="Incompetent"),
}

APPLICANT_KIND_TITLES = {
    "company": _("applicant_kind_company", default="A company or organisation"),
    "person": _("applicant_kind_person", default="A person"),
}

RISK_LEVEL_TITLES = {
    "low": _("risk_level_low", default="Low"),
    "medium": _("risk_level_medium", default="Medium"),
    "high": _("risk_level_high", default="High"),
}


def _vocabulary(titles):
    return SimpleVocabulary(
        [SimpleTerm(value=key, token=key, title=title) for key, title in titles.items()]
    )


@provider(IVocabularyFactory)
def material_forms(context):
    """Whether a material is handed in as original, copy or both."""
    return _vocabulary(MATERIAL_FORM_TITLES)


@provider(IVocabularyFactory)
def risk_levels(context):
    """Risk levels of a matter."""
    return _vocabulary(RISK_LEVEL_TITLES)


@provider(IVocabularyFactory)
def matter_categories(context):
    """The categories (审批门类) of the matter list, in list order."""
    brains = api.content.find(portal_type="MatterCategory", sort_on="getObjPositionInParent")
    return SimpleVocabulary(
        [SimpleTerm(value=b.getId, token=b.getId, title=b.Title) for b in brains]
    )


@provider(IVocabularyFactory)
def appraisal_results(context):
    """Results of the annual civil-service appraisal (年度考核)."""
    return _vocabulary(APPRAISAL_TITLES)


@provider(IVocabularyFactory)
def matter_codes(context):
    """Every matter on the list the user may read, by code, titled "code name"."""
    # Restricted: @vocabularies serves this to anyone, and drafts are the working group's.
    brains = api.content.find(portal_type="Matter", sort_on="matter_code")
    return SimpleVocabulary(
        [
            SimpleTerm(value=b.matter_code, token=b.matter_code, title=f"{b.matter_code} {b.Title}")
            for b in brains
        ]
    )


@provider(IVocabularyFactory)
def applicant_kinds(context):
    """Whether the applicant is a company (social credit code) or a person (ID number)."""
    return _vocabulary(APPLICANT_KIND_TITLES)


def _application_of(context):
    """The application a form or field is about: the context or one of its parents."""
    from zhangdian.approval.content.application import IApplication

    for candidate in (context, getattr(context, "aq_parent", None)):
        if IApplication.providedBy(candidate):
            return candidate
    return None


@provider(IVocabularyFactory)
def application_materials(context):
    """The lines of the materials table of the application's matter."""
    application = _application_of(context)
    matter = application.matter_object() if application is not None else None
    rows = (matter.materials or []) if matter is not None else []
    return SimpleVocabulary(
        [
            SimpleTerm(value=row["name"], token=f"m{position}", title=row["name"])
            for position, row in enumerate(rows)
        ]
    )


# The permission's title: plone.api checks permissions by their Zope names.
MANAGE_AUTHORIZATIONS = "zhangdian.approval: Manage Authorizations"


@provider(IVocabularyFactory)
def user_accounts(context):
    """The site's user accounts, titled "full name (user id)", for the approver picker.

    Only who manages the roster sees every account (@vocabularies serves this too); anyone
    else sees just the approver of the authorisation at hand.
    """
    if api.user.has_permission(MANAGE_AUTHORIZATIONS, obj=api.portal.get()):
        users = api.user.get_users()
    else:
        # aq_base: a folder must not acquire an approver from anywhere.
        approver = getattr(aq_base(context), "approver", None)
        users = [user for user in [api.user.get(userid=approver) if approver else None] if user]
    terms = sorted(
        (
            SimpleTerm(
                value=user.getId(),
                token=user.getId(),
                title=f"{user.getProperty('fullname') or user.getId()} ({user.getId()})",
            )
            for user in users
        ),
        key=lambda term: term.title,
    )
    return AccountChoices(terms)


class AccountChoices(SimpleVocabulary):
    """The accounts offered; any account id is a valid value, for the rules to judge."""

    # rules.authorization.may_create refuses a group or one's own account with its reason;
    # a bare "constraint not satisfied" from the field would hide that reason from REST.
    def __contains__(self, value):
        """Any non-empty id passes the field; the roster's rules decide."""
        return isinstance(value, str) and bool(value)
