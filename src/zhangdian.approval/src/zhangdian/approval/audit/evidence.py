"""The evidence bundle of one application: everything an investigator needs, years later.

One ZIP with the signed decision PDF, the signature record and the signer's certificate, the
submitted materials, the application's data and checklist, its workflow history, its journal
entries and a manifest with the SHA-256 of every file and the journal head at export time.
For the offline verifier (zhangdian-verify) it also carries the configured bureau and TSA
anchors (certificates/), the CRLs the signer's certificate names (crls/) and the record of
the authorisation the decision was taken under (authorization.json).
Under `log/`, the newest signed tree head, the log's public key and an inclusion proof of each
of the application's entries against that head: an outsider checks them without the portal.
"""

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from io import BytesIO
from plone import api
from zhangdian.approval.audit.heads import log_public_key
from zhangdian.approval.audit.heads import public_key_pem
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.roster.certificates import trust_anchors
from zhangdian.approval.signing.long_term import published_crls

import base64
import hashlib
import json
import zipfile


def _json(value):
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def application_record(application):
    """The application's data, checklist, clock, notices and decision as plain values."""
    fields = (
        "number",
        "matter",
        "applicant_kind",
        "applicant_name",
        "applicant_identifier",
        "contact_person",
        "contact_phone",
        "contact_email",
        "contact_address",
        "remarks",
        "channel",
        "submitted_at",
        "accepted_by",
        "accepted_at",
        "due_date",
        "working_days_used",
        "decided_by",
        "decided_at",
        "decision",
        "decision_reason",
        "checked_materials",
        "legal_basis_confirmed",
        "conditions_confirmed",
        "review_notes",
    )
    record = {name: getattr(application, name, None) for name in fields}
    record["review_state"] = api.content.get_state(application)
    record["supplement_notices"] = list(application.supplement_notices or ())
    workflow = api.portal.get_tool("portal_workflow")
    record["history"] = workflow.getInfoFor(application, "review_history", [])
    return record


def journal_entries_of(application):
    """The journal entries about this application, oldest first (pending ones last)."""
    return [dict(e) for e in journal().entries.values() if e["target"] == application.number]


def log_files(application):
    """log/head.json, log/log-key.pem and log/proofs.json, or nothing before the first head."""
    log = journal()
    head = log.latest_head()
    if head is None:
        return {}
    size = head["tree_size"]
    proofs = [
        {
            "leaf_index": entry["seq"] - 1,
            "entry": dict(entry),
            "audit_path": [node.hex() for node in log.tree.inclusion_path(entry["seq"] - 1, size)],
        }
        for entry in log.sequenced.values(max=size)
        if entry["target"] == application.number
    ]
    return {
        "log/head.json": _json(head),
        "log/log-key.pem": public_key_pem(log_public_key()).encode("ascii"),
        "log/proofs.json": _json(proofs),
    }


def evidence_bundle(application):
    """The ZIP (bytes) with the application's evidence and its manifest."""
    files = {"application.json": _json(application_record(application))}
    if application.decision_document is not None:
        files["decision.pdf"] = application.decision_document.data
    if application.signature:
        signature = dict(application.signature)
        certificate = base64.b64decode(signature.pop("signer_certificate"))
        files["signature.json"] = _json(signature)
        files["signer-certificate.der"] = certificate
    for number, material in enumerate(application.objectValues(), start=1):
        blob = getattr(material, "file", None)
        if blob is not None:
            name = (blob.filename or "file").replace("/", "_").replace("\\", "_")
            files[f"materials/{number:02d}-{name}"] = blob.data
    files["journal.json"] = _json(journal_entries_of(application))
    files.update(validation_files(application))
    files.update(log_files(application))
    check = verify_journal()
    manifest = {
        "application": application.number,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        "journal": {"head": journal().head, "entries": check.entries, "whole": check.ok},
    }
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
        bundle.writestr("manifest.json", _json(manifest))
    return buffer.getvalue()


def validation_files(application):
    """What the offline verifier needs beside the PDF: anchors, CRLs, the authorisation."""
    files = {}
    for setting, prefix in (("trust_anchors", "bureau-ca"), ("timestamp_anchors", "tsa-ca")):
        for number, anchor in enumerate(trust_anchors(setting), start=1):
            files[f"certificates/{prefix}-{number}.pem"] = anchor.public_bytes(Encoding.PEM)
    if not application.signature:
        return files
    signer = x509.load_der_x509_certificate(
        base64.b64decode(application.signature["signer_certificate"])
    )
    for number, crl in enumerate(published_crls(signer), start=1):
        files[f"crls/{number:02d}.crl"] = crl
    authorization = authorization_record(application)
    if authorization is not None:
        files["authorization.json"] = _json(authorization)
    return files


def authorization_record(application):
    """The authorisation the decision was signed under, and its state when it was taken."""
    uid = (application.signature or {}).get("authorization_uid")
    brains = api.content.find(UID=uid, unrestricted=True) if uid else []
    if not brains:
        return None
    authorization = brains[0]._unrestrictedGetObject()
    # Read as stored: review_history through the tool is filtered by the exporter's roles.
    (chain,) = api.portal.get_tool("portal_workflow").getChainFor(authorization)
    history = [dict(h) for h in authorization.workflow_history.get(chain, ())]
    decided_at = application.decided_at
    states = [
        h["review_state"]
        for h in history
        if decided_at is None or h["time"].asdatetime() <= decided_at
    ]
    return {
        "uid": uid,
        "approver": authorization.approver,
        "scope_categories": list(authorization.scope_categories or ()),
        "scope_matters": list(authorization.scope_matters or ()),
        "valid_from": _iso(authorization.valid_from),
        "valid_until": _iso(authorization.valid_until),
        "certificate_fingerprint": authorization.certificate_fingerprint,
        "certificate_serial": authorization.certificate_serial,
        "state_at_decision": states[-1] if states else None,
        "history": [{**h, "time": h["time"].ISO8601()} for h in history],
    }


def _iso(value):
    return value.isoformat() if value is not None else None
