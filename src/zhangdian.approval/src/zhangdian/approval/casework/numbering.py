"""Readable application numbers and the applicant's random query code."""

from plone import api
from zhangdian.approval.clock import bureau_day

import secrets


APPLICATIONS_ID = "applications"
NUMBER_PREFIX = "ZD"
# No 0/O, 1/I/L: the applicant reads the code out over the phone.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def applications_folder():
    """The one applications folder of the site (/applications)."""
    return api.portal.get()[APPLICATIONS_ID]


def allocate_number(application):
    """Give the application its number (ZD-2026-000123) once; later calls return it."""
    if application.number:
        return application.number
    year = bureau_day().year
    folder = applications_folder()
    counters = dict(getattr(folder, "number_counters", None) or {})
    # A plain attribute, not a BTrees.Length: two concurrent submissions must conflict
    # (and one retry) rather than merge into the same number.
    counters[year] = counters.get(year, 0) + 1
    folder.number_counters = counters
    application.number = f"{NUMBER_PREFIX}-{year}-{counters[year]:06d}"
    application.query_code = "".join(
        secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH)
    )
    return application.number
