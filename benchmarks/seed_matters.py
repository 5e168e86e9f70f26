"""Seed published matters up to SEED_TARGET through the importer (zconsole run script)."""

from AccessControl.SecurityManagement import newSecurityManager
from plone import api
from Testing.makerequest import makerequest
from zhangdian.approval.documents.spreadsheet import export_table
from zhangdian.approval.documents.spreadsheet import import_rows
from zhangdian.approval.documents.spreadsheet import parse_table
from zope.component.hooks import setSite

import os
import transaction


def main(app):
    """Copy the demo rows with new codes until the list holds SEED_TARGET matters."""
    target = int(os.environ.get("SEED_TARGET", "2000"))
    app = makerequest(app)
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    site = app.Plone
    setSite(site)
    matter_list = site["matters"]
    table = export_table(matter_list)
    header, rows = table[0], [row for row in table[1:] if row[-1] == "已发布"]
    count = len(api.content.find(portal_type="Matter"))
    seeded = [header]
    number = 0
    while count + len(seeded) - 1 < target:
        row = list(rows[number % len(rows)])
        number += 1
        row[0] = f"BENCH-{number:05d}"
        row[1] = f"{row[1]}（第{number}号）"
        seeded.append(row)
    report = parse_table(seeded)
    assert report.ok, report.errors[:5]  # noqa: S101 - a seeding script, not a test
    import_rows(matter_list, report)
    transaction.commit()


main(app)  # noqa: F821 - provided by zconsole run
