"""services/openapi.yaml describes the services our ZCML registers, and what they answer."""

from jsonschema import Draft202012Validator
from pathlib import Path
from schemathesis.specs.openapi.definitions import OPENAPI_31
from tests.helpers.approval import register_application_as
from tests.helpers.registrations import PACKAGE_DIR
from tests.helpers.registrations import registered_views

import pytest
import schemathesis
import transaction
import yaml


DOCUMENT = Path(PACKAGE_DIR) / "services" / "openapi.yaml"
METHODS = ("get", "put", "post", "patch", "delete")
SITE = "Products.CMFCore.interfaces.ISiteRoot"
# @login overrides plone.restapi's, which is registered for the Plone site root.
PLONE_SITE = "plone.base.interfaces.siteroot.IPloneSiteRoot"


@pytest.fixture(scope="module")
def document():
    """The OpenAPI document as data."""
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def openapi():
    """The document as schemathesis loads it."""
    return schemathesis.openapi.from_path(DOCUMENT)


def documented(document):
    """{(service name, METHOD): path} of every operation in the document."""
    return {
        (path.rsplit("/", 1)[1], method.upper()): path
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def schemas_in(node):
    """Every JSON Schema object in the document (components, parameters, bodies, responses)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                yield value
            elif key == "schemas" and isinstance(value, dict):
                yield from value.values()
            yield from schemas_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from schemas_in(value)


class TestDocument:
    """The document is valid OpenAPI 3.1."""

    def test_valid_openapi_31(self, document):
        """The document validates against the OpenAPI 3.1 schema."""
        assert document["openapi"].startswith("3.1.")
        Draft202012Validator(OPENAPI_31).validate(document)

    def test_every_schema_is_valid_json_schema(self, document):
        """Each embedded schema is valid JSON Schema 2020-12 (the 3.1 dialect)."""
        schemas = list(schemas_in(document))
        assert len(schemas) > 30
        for schema in schemas:
            Draft202012Validator.check_schema(schema)

    def test_every_operation_loads(self, openapi):
        """schemathesis resolves every operation (no dangling $ref)."""
        results = list(openapi.get_all_operations())
        assert len(results) == 28
        for result in results:
            result.ok()

    def test_errors_are_type_and_message(self, document):
        """The error schema is the body services/errors.py writes."""
        error = document["components"]["schemas"]["Error"]
        assert set(error["required"]) == {"type", "message"}


class TestDocumentMatchesCode:
    """Every registered service is documented with its method, and nothing else is."""

    @pytest.fixture(autouse=True)
    def _services(self, portal):
        self.services = {
            item.key: item for item in registered_views().values() if item.kind == "service"
        }

    def test_same_services_and_methods(self, document):
        """The (name, method) pairs agree both ways."""
        in_code = {(item.name, item.method) for item in self.services.values()}
        assert in_code == set(documented(document))

    def test_site_services_at_the_root_others_below(self, document):
        """A service of the site root is /@name; one bound to content has the content's path."""
        paths = documented(document)
        for item in self.services.values():
            path = paths[(item.name, item.method)]
            assert (path == f"/{item.name}") == (item.for_ in (SITE, PLONE_SITE)), path


class TestLiveResponses:
    """Answers of the running portal validate against the documented schemas."""

    @pytest.fixture(autouse=True)
    def _setup(self, functional_matter_list, user_request, openapi):
        self.anon = user_request(None)
        self.openapi = openapi

    def validate(self, path, method, response):
        """Raise unless the response fits the documented status and schema."""
        self.openapi[path][method].validate_response(response)

    def test_matters(self):
        """Anonymous @matters."""
        response = self.anon.get("@matters", params={"b_size": 2})
        assert response.status_code == 200
        self.validate("/@matters", "GET", response)

    def test_application_status_bad_code(self):
        """@application-status with a wrong code: the documented 404 error."""
        response = self.anon.get(
            "@application-status", params={"number": "ZD-2026-000001", "code": "WRONG123"}
        )
        assert response.status_code == 404
        self.validate("/@application-status", "GET", response)

    def test_application_status_missing(self):
        """@application-status without parameters: the documented 400 error."""
        response = self.anon.get("@application-status")
        assert response.status_code == 400
        self.validate("/@application-status", "GET", response)

    def test_anonymous_queue(self):
        """plone.restapi's own 401 fits the error schema too."""
        response = self.anon.get("@approval-queue")
        assert response.status_code == 401
        self.validate("/@approval-queue", "GET", response)

    def test_application_status_found(self, functional_portal):
        """@application-status of a submitted application, with its number and query code."""
        application = register_application_as(functional_portal, "member", "XK-T-001")
        transaction.commit()
        response = self.anon.get(
            "@application-status",
            params={"number": application.number, "code": application.query_code},
        )
        assert response.status_code == 200, response.text
        self.validate("/@application-status", "GET", response)

    def test_approver_views(self, functional_granted, user_request):
        """The approver's queue, authorisations and check."""
        approver = user_request("approver1")
        for path, params in (
            ("@approval-queue", {}),
            ("@my-authorizations", {}),
            ("@authorization-check", {"matter": "XK-T-001"}),
        ):
            response = approver.get(path, params=params)
            assert response.status_code == 200, response.text
            self.validate(f"/{path}", "GET", response)

    def test_schema_violation_is_caught(self):
        """The check has teeth: @matters' answer is not an application status."""
        response = self.anon.get("@matters")
        with pytest.raises(Exception, match=r"(?i)schema|required"):
            self.validate("/@application-status", "GET", response)
