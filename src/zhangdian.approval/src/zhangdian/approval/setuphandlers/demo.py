"""The demo profile: accounts and the demo matter list from profiles/demo/matters.csv."""

from pathlib import Path
from plone import api
from zhangdian.approval import logger
from zhangdian.approval.setuphandlers import MATTER_LIST_ID
from zhangdian.approval.spreadsheet import import_rows
from zhangdian.approval.spreadsheet import parse_table
from zhangdian.approval.spreadsheet import read_table


DEMO_PASSWORD = "zhangdian-demo"  # noqa: S105 - documented demo password, demo profile only

WORKGROUP_GROUP = "workgroup"

DEMO_ACCOUNTS = (
    # user id, full name, roles, groups
    ("workgroup", "工作组（综合受理科）", (), (WORKGROUP_GROUP,)),
    ("approver1", "李审批（经贸商事）", ("Member",), ()),
    ("approver2", "王审批（社会事务）", ("Member",), ()),
    ("approver3", "赵审批（授权已到期）", ("Member",), ()),
    ("applicant1", "淄博示例商贸有限公司", ("Member",), ()),
    ("auditor", "区审计局（外部监督）", ("Auditor",), ()),
)


def create_demo_content(context):
    """Create the demo accounts and import the demo matter list."""
    create_demo_accounts()
    import_demo_matters(Path(context._profile_path) / "matters.csv")


def create_demo_accounts():
    """The working group, three approvers, an applicant and an auditor."""
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
    report = parse_table(read_table(path.name, path.read_bytes()))
    if not report.ok:
        problems = "; ".join(f"{e.line}/{e.column}: {e.message}" for e in report.errors)
        raise ValueError(f"The demo matter list does not import: {problems}")
    import_rows(portal[MATTER_LIST_ID], report)
    logger.info(
        "Demo matter list: %d created, %d updated", len(report.created), len(report.updated)
    )
