"""The evidence bundle of one application: everything an investigator needs, years later.

One ZIP with the signed decision PDF, the signature record and the signer's certificate, the
submitted materials, the application's data and checklist, its workflow history, its journal
entries and a manifest with the SHA-256 of every file and the journal head at export time.
Under `log/`, the newest signed tree head, the log's public key and an inclusion proof of each
of the application's entries against that head: an outsider checks them without the portal.
"""

from io import BytesIO
from plone import api
from zhangdian.approval.audit.heads import log_public_key
from zhangdian.approval.audit.heads import public_key_pem
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import verify_journal

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
