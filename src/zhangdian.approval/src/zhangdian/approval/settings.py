"""Registry settings of signing: trust anchors, timestamp authority, server-side token."""

from plone import api
from zhangdian.approval import _
from zope import schema
from zope.interface import Interface


# The records are named by this prefix, not by the interface's module path, so that moving
# the module never orphans a bureau's settings.
SIGNING_PREFIX = "zhangdian.approval.signing"


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


def signing_setting(name):
    """One signing setting from the registry (its default when unset)."""
    value = api.portal.get_registry_record(f"{SIGNING_PREFIX}.{name}", default=None)
    return value if value is not None else ISigningSettings[name].default


def set_signing_setting(name, value):
    """Store one signing setting in the registry."""
    api.portal.set_registry_record(f"{SIGNING_PREFIX}.{name}", value)
