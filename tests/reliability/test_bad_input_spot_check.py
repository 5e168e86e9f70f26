"""Spot-check findings: bad input is refused clearly and stores nothing (see bad_input.py)."""

from tests.reliability.bad_input import BIG
from tests.reliability.bad_input import JSON
from tests.reliability.bad_input import XSS
from tests.reliability.bad_input import Case
from tests.reliability.bad_input import run

import pytest


# Supervisors record findings (the working group did before 1005 and is refused now), so the
# bad bodies are sent by one.
FINDING_CASES = [
    Case("finding-missing", "supervisor", "POST", "{check}/@spot-check-finding", json={}),
    Case(
        "finding-unknown-finding",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "maybe"},
    ),
    Case(
        "finding-number-number",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": 2026, "finding": "compliant"},
    ),
    Case(
        "finding-number-100kB",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": BIG, "finding": "compliant"},
    ),
    Case(
        "finding-number-not-sampled",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "ZD-2026-999999", "finding": "compliant"},
    ),
    Case(
        "finding-description-100kB",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": "材料", "description": BIG},
    ),
    Case(
        "finding-category-list",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": ["a"], "description": "d"},
    ),
    Case(
        "finding-corrected-on-not-a-date",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "compliant", "corrected_on": XSS},
    ),
    Case(
        "finding-description-lone-surrogate",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": "c", "description": "\ud800"},
    ),
    Case("finding-list-body", "supervisor", "POST", "{check}/@spot-check-finding", json=[{}]),
    Case(
        "finding-invalid-utf8",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        data=b'{"number": "\xff", "finding": "compliant"}',
        headers=JSON,
    ),
    Case(
        "finding-malformed",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        data=b'{"number": ',
        headers=JSON,
    ),
    Case(
        "finding-text-plain",
        "supervisor",
        "POST",
        "{check}/@spot-check-finding",
        (415,),
        data=b'{"finding": "compliant"}',
        headers={"Content-Type": "text/plain"},
    ),
    Case(
        "finding-by-workgroup",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        (403,),
        json={"number": "{number}", "finding": "compliant"},
        # A refusal for want of the right is journalled as a refused attempt (1005).
        journalled=("oversight.change_refused",),
    ),
    Case(
        "finding-by-member",
        "member",
        "POST",
        "{check}/@spot-check-finding",
        (401, 403),
        json={"number": "{number}", "finding": "compliant"},
        # A refusal for want of the right is journalled as a refused attempt (1005).
        journalled=("oversight.change_refused",),
    ),
]


def fill(value, world):
    """Put the world's values into the strings of a JSON body."""
    if isinstance(value, str):
        return value.format(**world) if value == "{number}" else value
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    return value


@pytest.mark.parametrize("case", FINDING_CASES, ids=lambda c: c.id)
def test_spot_check_finding(case, spot_check, functional_portal):
    url, number = spot_check
    world = {"check": url, "number": number}
    if case.json is not None:
        case = Case(**{**case.__dict__, "json": fill(case.json, world)})
    run(case, world, functional_portal)
