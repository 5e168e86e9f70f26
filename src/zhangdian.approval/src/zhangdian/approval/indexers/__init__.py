"""Catalog indexers for matters."""

from plone.indexer import indexer
from zhangdian.approval.content.application import IApplication
from zhangdian.approval.content.authorization import IApproverAuthorization
from zhangdian.approval.content.matter import IMatter


@indexer(IMatter)
def matter_code(obj):
    """The matter code (事项编码)."""
    return obj.code


@indexer(IMatter)
def promised_days(obj):
    """Promised working days; 0 is on the spot (即办)."""
    return obj.promised_days


@indexer(IMatter)
def statutory_days(obj):
    """Statutory working days."""
    return obj.statutory_days


@indexer(IMatter)
def on_the_spot(obj):
    """True for matters decided on the spot."""
    return obj.promised_days == 0


@indexer(IMatter)
def independent_approval(obj):
    """True when one authorised approver may decide the matter alone."""
    return bool(obj.independent_approval)


@indexer(IMatter)
def matter_category(obj):
    """The id of the category the matter sits in."""
    return obj.aq_parent.getId()


@indexer(IMatter)
def fee(obj):
    """The fee as written on the list."""
    return obj.fee or ""


@indexer(IMatter)
def searchable_text(obj):
    """Code, name, description and legal basis, for the matter search."""
    return " ".join(
        part for part in (obj.code, obj.title, obj.description, obj.legal_basis) if part
    )


@indexer(IApproverAuthorization)
def approver(obj):
    """The user id of the approver an authorisation is for."""
    return obj.approver


@indexer(IApproverAuthorization)
def valid_from(obj):
    """First day of the authorisation period."""
    return obj.valid_from


@indexer(IApproverAuthorization)
def valid_until(obj):
    """Last day of the authorisation period."""
    return obj.valid_until


@indexer(IApproverAuthorization)
def certificate_fingerprint(obj):
    """SHA-256 fingerprint of the bound certificate, to refuse binding it twice."""
    return obj.certificate_fingerprint


@indexer(IApproverAuthorization)
def scope_categories(obj):
    """Category ids the authorisation covers."""
    return tuple(obj.scope_categories or ())


@indexer(IApproverAuthorization)
def scope_matters(obj):
    """Matter codes the authorisation covers one by one."""
    return tuple(obj.scope_matters or ())


@indexer(IApplication)
def application_matter_code(obj):
    """The code of the matter applied for (shares the matter_code index)."""
    return obj.matter


@indexer(IApplication)
def application_number(obj):
    """The application number (ZD-2026-000123)."""
    return obj.number


@indexer(IApplication)
def due_date(obj):
    """The deadline; None while the clock is stopped or not started."""
    return obj.due_date


@indexer(IApplication)
def accepted_by(obj):
    """The approver who accepted the application."""
    return obj.accepted_by


@indexer(IApplication)
def decided_by(obj):
    """The approver who decided the application."""
    return obj.decided_by


@indexer(IApplication)
def decided_at(obj):
    """When the decision was recorded."""
    if obj.decided_at is None:
        raise AttributeError("decided_at")
    return obj.decided_at


@indexer(IApplication)
def decision_sha256(obj):
    """SHA-256 of the signed decision PDF, so that an uploaded copy finds its application."""
    signature = obj.signature
    if not signature:
        raise AttributeError("decision_sha256")
    return signature["document_sha256"]


@indexer(IApplication)
def applicant_name(obj):
    """The applicant (company or person)."""
    return obj.applicant_name
