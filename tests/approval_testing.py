"""Test data shared by the suite: users, categories, matters (import as approval_testing)."""

PASSWORD = "secret-password-1"

USERS = {
    # user id: site-wide roles
    "workgroup": ["ApprovalAdministrator"],
    "siteadmin": ["Site Administrator"],
    "editor": ["Editor"],
    "member": ["Member"],
    "auditor": ["Auditor"],
}

CATEGORIES = (("jmss", "经贸商事"), ("shsw", "社会事务"))

# code, category, title, promised, statutory, state
MATTERS = (
    ("XK-T-001", "jmss", "食品经营许可（新办）", 5, 20, "published"),
    ("XK-T-002", "jmss", "营业执照注销登记", 0, 3, "published"),
    ("XK-T-003", "jmss", "烟草制品零售许可", 5, 20, "draft"),
    ("XK-T-004", "jmss", "出版物零售业务经营许可", 10, 20, "suspended"),
    ("XK-T-101", "shsw", "民办非企业单位成立登记", 10, 60, "published"),
)


def make_matter_data(code, title, promised, statutory):
    """Field values of a complete, valid matter."""
    return {
        "code": code,
        "title": title,
        "legal_basis": "《中华人民共和国行政许可法》第十二条",
        "conditions": "申请人具备相应条件。",
        "materials": [
            {"name": "申请书", "form": "original", "copies": 1, "required": True, "notes": None},
            {"name": "营业执照", "form": "copy", "copies": 1, "required": False, "notes": "可免交"},
        ],
        "statutory_days": statutory,
        "promised_days": promised,
        "fee": "不收费",
        "risk_level": "low",
        "independent_approval": True,
        "contact_window": "政务服务中心二楼",
        "process_steps": [
            {"step": "受理审查决定", "actor": "独立审批员", "days": promised},
        ],
        "former_steps": [
            {"step": "受理", "actor": "受理岗", "days": 2},
            {"step": "审核", "actor": "审核岗", "days": 8},
            {"step": "审批", "actor": "科室负责人", "days": 10},
        ],
    }


def populate(portal):
    """Create the test users, categories and matters in every workflow state."""
    from plone import api

    matter_list = portal["matters"]
    with api.env.adopt_roles(["Manager"]):
        for userid, roles in USERS.items():
            if api.user.get(userid=userid) is None:
                api.user.create(username=userid, email=f"{userid}@example.org", password=PASSWORD)
            for role in roles:
                portal.acl_users.portal_role_manager.assignRoleToPrincipal(role, userid)
        for category_id, title in CATEGORIES:
            api.content.create(
                container=matter_list, type="MatterCategory", id=category_id, title=title
            )
        for code, category_id, title, promised, statutory, state in MATTERS:
            matter = api.content.create(
                container=matter_list[category_id],
                type="Matter",
                id=code.lower(),
                **make_matter_data(code, title, promised, statutory),
            )
            if state in ("published", "suspended"):
                api.content.transition(obj=matter, transition="publish")
            if state == "suspended":
                api.content.transition(obj=matter, transition="suspend")
    return matter_list
