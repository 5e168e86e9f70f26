"""The demo profile: accounts and the demo matter list from profiles/demo/matters.csv.

Every handler may run again on a site the bureau has been using: it adds what is missing
and never changes what exists (passwords, matters, authorisations, applications).
"""

from DateTime import DateTime
from datetime import date
from dateutil.relativedelta import relativedelta
from pathlib import Path
from plone import api
from zhangdian.approval import logger
from zhangdian.approval.casework.registration import register_application
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.documents.spreadsheet import import_rows
from zhangdian.approval.documents.spreadsheet import parse_table
from zhangdian.approval.documents.spreadsheet import read_table
from zhangdian.approval.rules.authorization import authorizations_of
from zhangdian.approval.setuphandlers import APPLICATIONS_ID
from zhangdian.approval.setuphandlers import MATTER_LIST_ID
from zhangdian.approval.setuphandlers import ROSTER_ID
from zhangdian.approval.setuphandlers.demo_provisioning import provision


DEMO_PASSWORD = "zhangdian-demo"  # noqa: S105 - documented demo password, demo profile only

WORKGROUP_GROUP = "working-group"
# The post handler gets the setup tool, not the profile: find the file in the package.
DEMO_MATTERS = Path(__file__).parents[1] / "profiles" / "demo" / "matters.csv"

DEMO_ACCOUNTS = (
    # user id, full name, roles, groups
    ("workgroup", "工作组（综合受理科）", (), (WORKGROUP_GROUP,)),
    # The second member of the working group: every grant is confirmed by another member.
    ("workgroup2", "工作组复核（综合受理科）", (), (WORKGROUP_GROUP,)),
    ("approver1", "李审批（经贸商事）", ("Member",), ()),
    ("approver2", "王审批（社会事务）", ("Member",), ()),
    ("approver3", "赵审批（授权已到期）", ("Member",), ()),
    ("applicant1", "淄博示例商贸有限公司", ("Member",), ()),
    ("auditor", "区审计局（外部监督）", ("Auditor",), ()),
    ("supervisor", "分管副局长（监督）", ("Supervisor",), ()),
)


def create_demo_content(context):
    """Create the demo accounts, import the demo matter list, authorise the approvers."""
    create_demo_accounts()
    import_demo_matters(DEMO_MATTERS)
    create_demo_authorizations()
    create_demo_applications()


def create_demo_accounts():
    """The working group, three approvers, an applicant, an auditor and a supervisor."""
    if api.group.get(groupname=WORKGROUP_GROUP) is None:
        api.group.create(
            groupname=WORKGROUP_GROUP,
            title="工作组（综合受理科）",
            roles=["ApprovalAdministrator"],
        )
    for userid, fullname, roles, groups in DEMO_ACCOUNTS:
        if api.user.get(userid=userid) is None:
            api.user.create(
                username=userid,
                email=f"{userid}@zhangdian.example.cn",
                password=DEMO_PASSWORD,
                roles=roles or ("Member",),
                properties={"fullname": fullname},
            )
        for group in groups:
            api.group.add_user(groupname=group, username=userid)


def import_demo_matters(path):
    """Import the demo matter list through the same importer the working group uses."""
    portal = api.portal.get()
    if portal[MATTER_LIST_ID].objectIds():
        # The importer updates matters it knows: it would undo the working group's edits.
        return
    report = parse_table(read_table(path.name, path.read_bytes()))
    if not report.ok:
        problems = "; ".join(f"{e.line}/{e.column}: {e.message}" for e in report.errors)
        raise ValueError(f"The demo matter list does not import: {problems}")
    import_rows(portal[MATTER_LIST_ID], report)
    logger.info(
        "Demo matter list: %d created, %d updated", len(report.created), len(report.updated)
    )


# user id, category title, first day relative to today (days), state to reach
DEMO_AUTHORIZATIONS = (
    ("approver1", "经贸商事", -60, "active"),
    ("approver2", "社会事务", -345, "active"),
    ("approver3", "经贸商事", -400, "expired"),
)


def create_demo_authorizations():
    """approver1 and approver2 active (approver2 ends within 30 days), approver3 expired."""
    portal = api.portal.get()
    roster = portal[ROSTER_ID]
    categories = {c.Title(): c.getId() for c in portal[MATTER_LIST_ID].objectValues()}
    workflow = api.portal.get_tool("portal_workflow")
    today = bureau_day()
    for userid, category, offset, state in DEMO_AUTHORIZATIONS:
        valid_from = today + relativedelta(days=offset)
        valid_until = valid_from + relativedelta(years=1, days=-1)
        authorization_id = f"{userid}-{valid_from.isoformat()}"
        # The ids move with the day: on a later run, any authorisation of the approver counts.
        if authorization_id in roster or authorizations_of(userid):
            continue
        authorization = api.content.create(
            container=roster,
            type="ApproverAuthorization",
            id=authorization_id,
            title=f"{userid} {valid_from.isoformat()} – {valid_until.isoformat()}",
            approver=userid,
            scope_categories=[categories[category]],
            valid_from=valid_from,
            valid_until=valid_until,
            joined_department=date(2019, 9, 1),
            established_post=True,
            enforcement_certificate_no=f"鲁淄执字-2023-{userid[-1]:0>4}",
            enforcement_certificate_expiry=valid_until + relativedelta(years=3),
            exam_date=date(2022, 6, 18),
            exam_score=88,
            exam_certificate_no=f"ZD-DLSP-2022-{userid[-1]:0>3}",
            training_records="独立审批员岗位培训 40 学时；行政许可法专题培训 16 学时",
            # Trained two months before the grant, which the demo makes today (定期参加业务培训).
            last_training_date=today - relativedelta(months=2),
            last_appraisal="excellent",
        )
        if state == "active":
            # Four eyes: one member of the working group proposes, another confirms.
            for actor, action in (("workgroup", "propose"), ("workgroup2", "grant")):
                with api.env.adopt_user(username=actor):
                    workflow.doActionFor(authorization, action, comment="演示数据：资格审核通过")
        else:
            # A period that is already over cannot be granted today: record its history
            # as it happened (proposed and granted on its first day, expired after its last).
            authorization.proposed_by, authorization.granted_by = "workgroup", "workgroup2"
            for action, review_state, day, actor in (
                ("propose", "proposed", valid_from, "workgroup"),
                ("grant", "active", valid_from, "workgroup2"),
                ("expire", "expired", valid_until + relativedelta(days=1), "admin"),
            ):
                workflow.setStatusOf(
                    "authorization_workflow",
                    authorization,
                    {
                        "action": action,
                        "review_state": review_state,
                        "actor": actor,
                        "comments": "演示数据",
                        "time": DateTime(day.isoformat() + " 09:00 GMT+8"),
                    },
                )
            workflow.getWorkflowById("authorization_workflow").updateRoleMappingsFor(authorization)
        authorization.reindexObject()


# matter code, state to reach
DEMO_APPLICATIONS = (
    ("XK-JMSS-001", "submitted"),
    ("XK-JMSS-001", "accepted"),
    ("XK-JMSS-002", "awaiting_supplement"),
)
DEMO_SOCIAL_CREDIT_CODE = "91370303MA3C4K7L1U"


def register_demo_application(folder, matter):
    """An application of the demo company for `matter`, submitted online by applicant1."""
    with api.env.adopt_user(username="applicant1"):
        return register_application(
            folder,
            matter=matter,
            applicant_kind="company",
            applicant_name="淄博示例商贸有限公司",
            applicant_identifier=DEMO_SOCIAL_CREDIT_CODE,
            contact_person="张经理",
            contact_phone="0533-2180000",
            remarks="演示数据",
        )


def create_demo_applications():
    """applicant1's applications: one waiting, one accepted by approver1, one to supplement."""
    portal = api.portal.get()
    folder = portal[APPLICATIONS_ID]
    if folder.objectIds():
        return
    workflow = api.portal.get_tool("portal_workflow")
    for code, state in DEMO_APPLICATIONS:
        application = register_demo_application(folder, code)
        if state == "submitted":
            continue
        with api.env.adopt_user(username="approver1"):
            workflow.doActionFor(application, "accept", comment="演示数据：材料齐全，予以受理")
            if state == "awaiting_supplement":
                workflow.doActionFor(
                    application,
                    "request_supplement",
                    comment="一次性告知：请补充法定代表人身份证复印件。",
                )


DEMO_MAIL_HOST = "127.0.0.1"
DEMO_MAIL_PORT = 8025
DEMO_EMAIL_FROM = (
    ("email_from_address", "noreply@zhangdian.example.cn"),
    ("email_from_name", "张店区行政审批服务局（演示）"),
)
# Plone's defaults: a site whose mail server still reads like this has none configured.
UNCONFIGURED_MAIL_SERVERS = (["localhost", 25, None], [None, 25, None], ["", 25, None])


def configure_demo_mail(port=DEMO_MAIL_PORT, host=DEMO_MAIL_HOST, report=logger.info):
    """Send the portal's mail to the demo sink unless the bureau configured its own server."""

    def record(name):
        return api.portal.get_registry_record(f"plone.{name}", default=None)

    def write_server(value):
        # The user id is part of the value only to tell a bureau's server: ours has none,
        # and a site the demo may write to has none either.
        host, port, _ = value
        api.portal.set_registry_record("plone.smtp_host", host)
        api.portal.set_registry_record("plone.smtp_port", port)
        # Sending reads the registry; the MailHost shows the same in the ZMI.
        mailhost = api.portal.get_tool("MailHost")
        mailhost.smtp_host, mailhost.smtp_port = host, port

    provision(
        "mail.server",
        [record("smtp_host"), record("smtp_port"), record("smtp_userid")],
        [host, int(port), None],
        write_server,
        report,
        unset=UNCONFIGURED_MAIL_SERVERS,
    )
    for name, value in DEMO_EMAIL_FROM:
        provision(
            f"mail.{name}",
            record(name),
            value,
            lambda value, name=name: api.portal.set_registry_record(f"plone.{name}", value),
            report,
        )
