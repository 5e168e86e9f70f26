"""Signing a bare PDF with a SoftHSM token in one call: prepare, sign on the token, complete.

Tests use it to make signed PDFs without a portal; the portal's own server-token route is
`zhangdian.approval.signing.decision.sign_with_server_token`, which adds the decision rules.
"""

from cryptography.hazmat.primitives.serialization import Encoding
from tests.helpers.signing import BOX
from tests.helpers.signing import LIBRARY
from tests.helpers.signing import PIN
from tests.helpers.signing import RSA_TOKEN
from zhangdian.approval.signing.errors import SignatureRejected
from zhangdian.approval.signing.errors import portal_errors_for_signer_errors
from zhangdian.approval.signing.prepare import DEFAULT_FIELD_NAME
from zhangdian.approval.signing.prepare import complete
from zhangdian.approval.signing.prepare import prepare
from zhangdian.signer.token import sign_data_with_token
from zhangdian.signer.token import token_certificate


def sign_on_server(
    pdf_bytes: bytes,
    *,
    library_path: str,
    token_label: str,
    pin: str,
    key_label: str | None = None,
    field_name: str = DEFAULT_FIELD_NAME,
    box: tuple[float, float, float, float] | None = None,
    page: int = 0,
    reason: str | None = None,
    location: str | None = None,
    timestamp_url: str | None = None,
) -> bytes:
    """The PDF signed with the token's key: prepare, sign on the token, complete."""
    with portal_errors_for_signer_errors():
        certificate = token_certificate(library_path, token_label, key_label)
    prepared = prepare(
        pdf_bytes,
        certificate,
        field_name=field_name,
        box=box,
        page=page,
        reason=reason,
        location=location,
        timestamp_url=timestamp_url,
    )
    with portal_errors_for_signer_errors():
        signature, cert_der = sign_data_with_token(
            library_path, token_label, pin, prepared.data_to_sign, key_label
        )
    if cert_der != certificate.public_bytes(Encoding.DER):
        # The token was swapped between reading the certificate and signing.
        raise SignatureRejected()
    return complete(prepared.state, signature, timestamp_url=timestamp_url)


def sign_in_decision_box(pdf_bytes, token_label=None, **options):
    """`pdf_bytes` signed on the server with the test token's key in the decision's box."""
    return sign_on_server(
        pdf_bytes,
        library_path=LIBRARY,
        token_label=token_label or RSA_TOKEN,
        pin=PIN,
        box=BOX,
        **options,
    )
