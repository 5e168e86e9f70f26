"""Vocabularies of zhangdian.approval."""

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
    """Every matter on the list by code, titled "code name"."""
    brains = api.content.find(portal_type="Matter", sort_on="matter_code", unrestricted=True)
    return SimpleVocabulary(
        [
            SimpleTerm(value=b.matter_code, token=b.matter_code, title=f"{b.matter_code} {b.Title}")
            for b in brains
        ]
    )
