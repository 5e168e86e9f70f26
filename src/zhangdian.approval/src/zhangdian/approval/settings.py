"""Registry settings of signing: trust anchors, timestamp authority, server-side token, routes.

Who may sign what rests on these records, so people change them only by four eyes
(settings_changes.py: one proposes, a different person confirms). Every other write to a
record under `SIGNING_PREFIX` — plone.restapi's `@registry`, the ZMI's portal_registry, the
generic registry control panel, a GenericSetup import — is refused by
`refuse_unconfirmed_change`, unless it runs inside `applying_confirmed_change()`: the
confirmation itself and the portal's own code (install, upgrade steps, demo provisioning,
test fixtures) through `set_signing_setting`.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from datetime import datetime
from plone import api
from zhangdian.approval import _
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import describe
from zhangdian.approval.certificates import is_ca
from zhangdian.approval.certificates import load_trust_anchors
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.errors import Refused
from zope import schema
from zope.i18nmessageid import Message
from zope.interface import Interface
from zope.interface import Invalid
from zope.schema.interfaces import ValidationError


# The records are named by this prefix, not by the interface's module path, so that moving
# the module never orphans a bureau's settings.
SIGNING_PREFIX = "zhangdian.approval.signing"


def check_anchor_bundle(pem):
    """Refuse a trust-anchor bundle with an unreadable block or a certificate that is no CA."""
    if not pem or not pem.strip():
        return True
    try:
        anchors = load_trust_anchors(pem)
    except CertificateError as error:
        raise Invalid(
            _(
                "error_anchor_unreadable",
                default="The trust anchors cannot be read: paste the bureau's CA certificates "
                "as PEM blocks (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----).",
            )
        ) from error
    for anchor in anchors:
        if not is_ca(anchor):
            raise Invalid(
                _(
                    "error_anchor_not_ca",
                    default="${subject} is not a CA certificate, so it cannot be a trust anchor.",
                    mapping={"subject": anchor.subject.rfc4514_string()},
                )
            )
    return True


def describe_anchors(pem):
    """Subject, fingerprint and validity of each configured trust anchor, for the panels."""
    if not pem or not pem.strip():
        return []
    now = datetime.now(UTC)
    anchors = []
    for cert in load_trust_anchors(pem):
        info = describe(cert)
        anchors.append(
            {
                "subject": info.subject,
                "fingerprint_sha256": info.fingerprint_sha256,
                "not_before": info.not_before.isoformat(),
                "not_after": info.not_after.isoformat(),
                "valid_now": info.not_before <= now <= info.not_after,
            }
        )
    return anchors


class ISigningSettings(Interface):
    """How the portal checks and makes signatures (密钥与证书设置)."""

    trust_anchors = schema.Text(
        title=_("label_trust_anchors", default="Trust anchors (PEM)"),
        description=_(
            "help_trust_anchors",
            default="The bureau's CA certificates, PEM, one after the other. Approver "
            "certificates must be issued by one of them.",
        ),
        required=False,
        default="",
        constraint=check_anchor_bundle,
    )

    timestamp_url = schema.TextLine(
        title=_("label_timestamp_url", default="RFC 3161 timestamp authority (URL)"),
        description=_(
            "help_timestamp_url",
            default="When set, signatures get a trusted timestamp (PAdES-B-T) and can be "
            "checked after the certificate expires; otherwise they are PAdES-B-B.",
        ),
        required=False,
        default="",
    )

    timestamp_anchors = schema.Text(
        title=_("label_timestamp_anchors", default="Timestamp authority's CA (PEM)"),
        description=_(
            "help_timestamp_anchors",
            default="The CA certificates that vouch for the timestamp authority, when it "
            "belongs to another PKI than the bureau's. Empty: timestamps are checked "
            "against the trust anchors above.",
        ),
        required=False,
        default="",
        constraint=check_anchor_bundle,
    )

    pkcs11_module = schema.TextLine(
        title=_("label_pkcs11_module", default="Server-side PKCS#11 module"),
        description=_(
            "help_pkcs11_module",
            default="Path of the PKCS#11 library for network HSMs or server-attached tokens, "
            "e.g. /usr/lib/softhsm/libsofthsm2.so. Leave empty to sign only with the agent "
            "on the approver's PC.",
        ),
        required=False,
        default="",
    )

    agent_url = schema.TextLine(
        title=_("label_agent_url", default="Signing agent address"),
        description=_(
            "help_agent_url",
            default="Where the browser finds zhangdian-signer on the approver's PC.",
        ),
        required=False,
        default="http://127.0.0.1:8769",
    )

    signing_routes = schema.List(
        title=_("label_signing_routes", default="Signing routes offered"),
        description=_(
            "help_signing_routes",
            default="How approvers may reach their key. A route is offered only when it is "
            "also configured: the server token needs the PKCS#11 module above.",
        ),
        value_type=schema.Choice(vocabulary="zhangdian.approval.signing_routes"),
        required=False,
        default=["agent", "server"],
    )


QUALIFICATION_PREFIX = "zhangdian.approval.qualification"


class IQualificationSettings(Interface):
    """Who may be an approver (资格条件): the plan's thresholds, checked at every grant.

    Nobody changes them in the portal (not the working group, not an administrator): the bar
    a colleague must pass is the plan's, and a new plan comes with a release and its upgrade.
    """

    minimum_service_months = schema.Int(
        title=_("label_minimum_service_months", default="Months in the approval department"),
        description=_("help_minimum_service_months", default="在职一年以上: 12."),
        min=0,
        default=12,
    )

    minimum_appraisal = schema.Choice(
        title=_("label_minimum_appraisal", default="Lowest appraisal result that qualifies"),
        description=_("help_minimum_appraisal", default="日常考核优秀: excellent."),
        vocabulary="zhangdian.approval.appraisal_results",
        default="excellent",
    )

    training_within_months = schema.Int(
        title=_("label_training_within_months", default="Latest training at most this old"),
        description=_("help_training_within_months", default="定期参加业务培训: 12 months."),
        min=1,
        default=12,
    )

    exam_pass_mark = schema.Int(
        title=_("label_exam_pass_mark", default="Pass mark of the special exam"),
        min=0,
        max=100,
        default=60,
    )


def qualification_setting(name):
    """One qualification threshold from the registry (the plan's value when unset)."""
    value = api.portal.get_registry_record(f"{QUALIFICATION_PREFIX}.{name}", default=None)
    return value if value is not None else IQualificationSettings[name].default


def signing_setting(name):
    """One signing setting from the registry (its default when unset)."""
    value = api.portal.get_registry_record(f"{SIGNING_PREFIX}.{name}", default=None)
    return value if value is not None else ISigningSettings[name].default


_applying = ContextVar("zhangdian.approval.applying_confirmed_change", default=False)


@contextmanager
def applying_confirmed_change():
    """Let signing records be written (a confirmed change, or the portal's own set-up code)."""
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


class UnconfirmedSettingChange(Refused):
    """A signing record written past the four-eyes proposal; the value was put back."""

    code = "setting_change_unconfirmed"
    status = 403


GUARDED_RECORDS = {
    SIGNING_PREFIX: _(
        "error_setting_change_unconfirmed",
        default="Signing settings change only by four eyes: propose the change on the "
        "signing settings panel or with PATCH @signing-settings, and have another "
        "person confirm it. ${name} was not changed.",
    ),
    QUALIFICATION_PREFIX: _(
        "error_qualification_setting_fixed",
        default="The qualification thresholds are the implementation plan's and change only "
        "with a new release of the portal, not in it. ${name} was not changed.",
    ),
}


def refuse_unconfirmed_change(event):
    """Put back and refuse a guarded record changed outside `applying_confirmed_change()`."""
    record = event.record
    name = getattr(record, "__name__", "") or ""
    prefix = name.rsplit(".", 1)[0]
    if prefix not in GUARDED_RECORDS or _applying.get():
        return
    registry = record.__parent__
    if registry is not None:
        # The registry stored the value before it told us; restore it without a new event.
        registry.records._values[name] = event.oldValue
        registry.records._invalidate_key_cache(name)
    message = GUARDED_RECORDS[prefix]
    raise UnconfirmedSettingChange(Message(message, mapping={"name": name}))


def set_signing_setting(name, value):
    """Store one signing setting: the portal's own path (confirmations, set-up, fixtures).

    People's changes never come here directly; they are proposals (settings_changes.py).
    """
    with applying_confirmed_change():
        # The registry itself, not plone.api, which refuses None (an emptied text field).
        api.portal.get_tool("portal_registry")[f"{SIGNING_PREFIX}.{name}"] = value


class InvalidSetting(ApprovalError):
    """A signing setting that cannot be stored; nothing of the change was."""

    code = "invalid_setting"
    status = 400


def check_signing_changes(changes):
    """Every change validated against the settings schema: {name: value}, or InvalidSetting."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidSetting(
            _("error_settings_empty", default="Send an object with the settings to change.")
        )
    checked = {}
    for name, value in changes.items():
        if name not in ISigningSettings:
            raise InvalidSetting(
                _(
                    "error_setting_unknown",
                    default="There is no signing setting called ${name}.",
                    mapping={"name": str(name)[:80]},
                )
            )
        field = ISigningSettings[name]
        if isinstance(value, list) and isinstance(field, schema.List):
            value = list(value)
        try:
            field.validate(value)
        except (ValidationError, Invalid) as error:
            # A constraint's own Invalid carries our message; zope.schema's errors their doc().
            raise InvalidSetting(_invalid_message(name, error)) from error
        checked[name] = value
    return checked


def _invalid_message(name, error):
    """What is wrong with the value of `name`, as a translatable message."""
    reason = error.args[0] if error.args and isinstance(error.args[0], Message) else None
    if reason is not None:
        return reason
    problem = error.doc() if isinstance(error, ValidationError) else str(error)
    return _(
        "error_setting_invalid",
        default="The value of ${name} is not valid: ${problem}",
        mapping={"name": name, "problem": problem},
    )
