"""PAdES-B-LTA: a signed decision's validation data (DSS) and a document timestamp, added after.

Both are incremental updates of the signed PDF made on the server once the approver's
signature is embedded (after `sign-complete` for the local agent, after the token for server
signing), so the signature itself is made once. The DSS holds the certificates and the CRLs
the signer's certificate names (fetched from its CRL distribution points); the document
timestamp then covers them, so the decision can be validated after the certificate expires.
"""

from cryptography import x509
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from io import BytesIO
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from zhangdian.approval.signing.asyncio_bridge import run_sync
from zhangdian.approval.signing.timestamps import timestamper
from zhangdian.approval.signing.trust import offline_context

import logging
import urllib.request


logger = logging.getLogger(__name__)
# A CRL distribution point that does not answer must not hold up a decision for long.
CRL_TIMEOUT_SECONDS = 5
# The bureau CA's CRL lists a few thousand certificates at most.
MAX_CRL = 8 * 1024 * 1024


def published_crls(cert: x509.Certificate) -> list[bytes]:
    """The CRLs (DER) at the certificate's HTTP distribution points; one that fails is left out."""
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    urls = [
        name.value
        for point in points
        for name in point.full_name or ()
        if isinstance(name, x509.UniformResourceIdentifier)
        and name.value.startswith(("http://", "https://"))
    ]
    crls = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=CRL_TIMEOUT_SECONDS) as reply:  # noqa: S310
                data = reply.read(MAX_CRL + 1)
            x509.load_der_x509_crl(data)
        except (OSError, ValueError) as error:
            logger.warning("CRL at %s could not be fetched: %s", url, error)
            continue
        crls.append(data)
    return crls


def add_long_term_data(pdf, signer, anchors, timestamp_url) -> bytes:
    """`pdf` with the DSS for its last signature and a document timestamp from the TSA."""
    return run_sync(_add_long_term_data(pdf, signer, anchors, timestamp_url))


async def _add_long_term_data(pdf, signer, anchors, timestamp_url) -> bytes:
    context = offline_context(anchors, crls=published_crls(signer))
    reader = PdfFileReader(BytesIO(pdf))
    signature = reader.embedded_signatures[-1]
    with_dss = await async_add_validation_info(signature, context, output=BytesIO())
    with_dss.seek(0)
    stamped = await PdfTimeStamper(timestamper(timestamp_url)).async_timestamp_pdf(
        IncrementalPdfFileWriter(with_dss),
        "sha256",
        validation_context=context,
        output=BytesIO(),
    )
    return stamped.getvalue()


def last_archive_timestamp(pdf) -> tuple[datetime, datetime] | None:
    """When the PDF's last document timestamp was made and its TSA certificate expires."""
    reader = PdfFileReader(BytesIO(pdf))
    stamps = [s for s in reader.embedded_signatures if s.sig_object.get("/Type") == "/DocTimeStamp"]
    if not stamps:
        return None
    info = stamps[-1].signed_data["encap_content_info"]["content"].parsed
    return info["gen_time"].native, stamps[-1].signer_cert.not_valid_after


def archive_timestamp_due(pdf, margin: timedelta, at: datetime | None = None) -> bool:
    """Whether the last document timestamp's TSA certificate expires within `margin` of `at`.

    A timestamp made inside that window is the renewal already: not due again (safe twice),
    even when the TSA still signs with the same certificate.
    """
    last = last_archive_timestamp(pdf)
    if last is None:
        return False
    made, expiry = last
    window = expiry - margin
    return window <= (at or datetime.now(UTC)) and made < window


def renew_archive_timestamp(pdf, anchors, timestamp_url) -> bytes:
    """`pdf` with the last timestamp's validation data and a new document timestamp after it."""
    return run_sync(_renew_archive_timestamp(pdf, anchors, timestamp_url))


async def _renew_archive_timestamp(pdf, anchors, timestamp_url) -> bytes:
    reader = PdfFileReader(BytesIO(pdf))
    renewed = await PdfTimeStamper(
        timestamper(timestamp_url)
    ).async_update_archival_timestamp_chain(
        reader, offline_context(anchors), in_place=False, output=BytesIO()
    )
    return renewed.getvalue()
