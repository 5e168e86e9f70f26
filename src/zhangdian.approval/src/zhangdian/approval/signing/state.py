"""The prepared-signature state: versioned, self-checking bytes that `complete` resumes from.

`prepare` runs in one request and `complete` in another, maybe another process, so everything
`complete` needs travels as plain bytes. Format (version 1), chosen so that the prepared PDF
is stored as is, not base64:

    b"ZDSIG-PREP" | version (1 byte) | header length (4 bytes, big-endian) | header | PDF

The header is UTF-8 JSON: `digest_algorithm`, `document_digest` (hex), `reserved_region`
([start, end) byte offsets of the /Contents hex string, brackets included), `signed_attrs`
and `certificate` (base64 DER), `timestamp_room` (whether the reservation holds a TSA token),
`field_name`. The rest is the prepared PDF (the /Contents region still zero-filled).
`load_state` refuses a state whose PDF, digest and signed attributes no longer belong together.
"""

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from dataclasses import dataclass
from zhangdian.approval.signing.errors import InvalidState

import base64
import binascii
import hashlib
import json
import struct


STATE_MAGIC = b"ZDSIG-PREP"
STATE_VERSION = 1
_STATE_HEADER = struct.Struct(">BI")


@dataclass(frozen=True)
class State:
    """The decoded `PreparedSignature.state`."""

    digest_algorithm: str
    document_digest: bytes
    reserved_region: tuple[int, int]
    signed_attrs: bytes
    certificate: bytes
    timestamp_room: bool
    field_name: str
    pdf: bytes


def digest_hash(digest_algorithm: str) -> hashes.HashAlgorithm:
    """The cryptography hash for a pyHanko digest name."""
    return {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[
        digest_algorithm
    ]


def dump_state(state: State) -> bytes:
    """Encode the state (format in the module docstring)."""
    header = json.dumps(
        {
            "digest_algorithm": state.digest_algorithm,
            "document_digest": state.document_digest.hex(),
            "reserved_region": list(state.reserved_region),
            "signed_attrs": base64.b64encode(state.signed_attrs).decode("ascii"),
            "certificate": base64.b64encode(state.certificate).decode("ascii"),
            "timestamp_room": state.timestamp_room,
            "field_name": state.field_name,
        },
        sort_keys=True,
    ).encode("utf-8")
    return STATE_MAGIC + _STATE_HEADER.pack(STATE_VERSION, len(header)) + header + state.pdf


def load_state(data: bytes) -> State:
    """Decode and cross-check a state; InvalidState when damaged or of another version."""
    data = bytes(data)
    start = len(STATE_MAGIC) + _STATE_HEADER.size
    if not data.startswith(STATE_MAGIC) or len(data) < start:
        raise InvalidState()
    version, header_length = _STATE_HEADER.unpack_from(data, len(STATE_MAGIC))
    if version != STATE_VERSION:
        raise InvalidState()
    try:
        header = json.loads(data[start : start + header_length])
        state = State(
            digest_algorithm=str(header["digest_algorithm"]),
            document_digest=bytes.fromhex(header["document_digest"]),
            reserved_region=(int(header["reserved_region"][0]), int(header["reserved_region"][1])),
            signed_attrs=base64.b64decode(header["signed_attrs"], validate=True),
            certificate=base64.b64decode(header["certificate"], validate=True),
            timestamp_room=bool(header["timestamp_room"]),
            field_name=str(header["field_name"]),
            pdf=data[start + header_length :],
        )
        digest_hash(state.digest_algorithm)
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error) as error:
        raise InvalidState() from error
    if not _state_is_consistent(state):
        raise InvalidState()
    return state


def _state_is_consistent(state: State) -> bool:
    """Whether the PDF, its digest and the signed attributes still belong together."""
    begin, end = state.reserved_region
    if not 0 < begin < end <= len(state.pdf):
        return False
    if state.pdf[begin : begin + 1] != b"<" or state.pdf[end - 1 : end] != b">":
        return False
    digest = hashlib.new(state.digest_algorithm)
    digest.update(state.pdf[:begin])
    digest.update(state.pdf[end:])
    if digest.digest() != state.document_digest:
        return False
    try:
        attributes = cms.CMSAttributes.load(state.signed_attrs)
        claimed = [
            a["values"][0].native for a in attributes if a["type"].native == "message_digest"
        ]
        x509.load_der_x509_certificate(state.certificate)
    except ValueError:
        return False
    return claimed == [state.document_digest]
