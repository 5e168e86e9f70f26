"""Spot-check findings: bad input is refused clearly and stores nothing (see bad_input.py)."""

from tests.reliability.bad_input import BIG
from tests.reliability.bad_input import JSON
from tests.reliability.bad_input import XSS
from tests.reliability.bad_input import Case
from tests.reliability.bad_input import run

import pytest


FINDING_CASES = [
    Case("finding-missing", "workgroup", "POST", "{check}/@spot-check-finding", json={}),
    Case(
        "finding-unknown-finding",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "maybe"},
    ),
    Case(
        "finding-number-number",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": 2026, "finding": "compliant"},
    ),
    Case(
        "finding-number-100kB",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": BIG, "finding": "compliant"},
    ),
    Case(
        "finding-number-not-sampled",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "ZD-2026-999999", "finding": "compliant"},
    ),
    Case(
        "finding-description-100kB",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": "材料", "description": BIG},
    ),
    Case(
        "finding-category-list",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": ["a"], "description": "d"},
    ),
    Case(
        "finding-corrected-on-not-a-date",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "compliant", "corrected_on": XSS},
    ),
    Case(
        "finding-description-lone-surrogate",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": "c", "description": "\ud800"},
    ),
    Case("finding-list-body", "workgroup", "POST", "{check}/@spot-check-finding", json=[{}]),
    Case(
        "finding-invalid-utf8",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        data=b'{"number": "\xff", "finding": "compliant"}',
        headers=JSON,
    ),
    Case(
        "finding-malformed",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        data=b'{"number": ',
        headers=JSON,
    ),
    Case(
        "finding-text-plain",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        (415,),
        data=b'{"finding": "compliant"}',
        headers={"Content-Type": "text/plain"},
    ),
    Case(
        "finding-by-member",
        "member",
        "POST",
        "{check}/@spot-check-finding",
        (401, 403),
        json={"number": "{number}", "finding": "compliant"},
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
