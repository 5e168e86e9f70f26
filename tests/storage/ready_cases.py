"""zconsole script: N applications of applicant1, accepted by approver1, checklist ticked.

Prints {"paths": [...], "materials": [...], "codes": {path: query code}} as JSON on its last line. Environment: COUNT
(default 1), SITE_ID (Plone), ACCEPT (default 1; 0 leaves them submitted, checklist empty).
"""

from AccessControl.SecurityManagement import newSecurityManager
from plone import api
from Testing.makerequest import makerequest
from zhangdian.approval.casework.registration import register_application
from zope.component.hooks import setSite

import json
import os
import transaction


def ready_case(folder, accept=True):
    """One application for XK-JMSS-001 (approver1's scope), ready to be decided."""
    with api.env.adopt_user(username="applicant1"):
        application = register_application(
            folder,
            matter="XK-JMSS-001",
            applicant_kind="company",
            applicant_name="淄博示例商贸有限公司",
            applicant_identifier="91370303MA3C4K7L1U",
            contact_person="张经理",
            contact_phone="0533-2180000",
        )
    if not accept:
        return "/".join(application.getPhysicalPath())
    with api.env.adopt_user(username="approver1"):
        api.content.transition(obj=application, transition="accept", comment="材料齐全")
        application.checked_materials = [
            row["name"] for row in application.matter_object().materials
        ]
        application.legal_basis_confirmed = True
        application.conditions_confirmed = True
    return "/".join(application.getPhysicalPath())


def main(app):
    """Create the cases and commit."""
    app = makerequest(app)
    site = app[os.environ.get("SITE_ID", "Plone")]
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    setSite(site)
    accept = os.environ.get("ACCEPT", "1") == "1"
    count = int(os.environ.get("COUNT", "1"))
    paths = [ready_case(site["applications"], accept) for _ in range(count)]
    transaction.commit()
    matter = site.unrestrictedTraverse(paths[0]).matter_object()
    materials = [row["name"] for row in matter.materials]
    codes = {path: site.unrestrictedTraverse(path).query_code for path in paths}
    print(json.dumps({"paths": paths, "materials": materials, "codes": codes}))  # noqa: T201


main(app)  # noqa: F821 - provided by zconsole run
