"""Evidence bundles for the offline verifier's tests: a log part made with merkle.py and a key.

Until the portal writes `log/` itself, tests add it here to the bundles they build or export:
every journal entry becomes a leaf of a tree (after `padding` other leaves, as in a log shared
by many applications), the head is signed by a test log key and timestamped by the TSA.
"""

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from datetime import UTC
from datetime import datetime
from io import BytesIO
from zhangdian.approval.signing.timestamps import timestamper
from zhangdian.verify import merkle

import asyncio
import base64
import hashlib
import json
import zipfile


def read_bundle(data: bytes) -> dict:
    """The files of a bundle by name."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_bundle(files: dict, manifest=True) -> bytes:
    """A bundle of `files`; its manifest recomputed unless `manifest` is False."""
    files = dict(files)
    if manifest:
        listed = {name: data for name, data in files.items() if name != "manifest.json"}
        old = json.loads(files["manifest.json"]) if "manifest.json" in files else {}
        old["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in listed.items()}
        files["manifest.json"] = _json(old)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode()


def log_key() -> ec.EllipticCurvePrivateKey:
    """A new P-256 log key."""
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key) -> bytes:
    """The public half of `key` as PEM."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign_head(head: dict, key) -> dict:
    """`head` with its log_id and ECDSA-SHA256 signature set by `key`."""
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = {**head, "log_id": hashlib.sha256(spki).hexdigest()}
    signature = key.sign(merkle.head_bytes(head), ec.ECDSA(hashes.SHA256()))
    return {
        **head,
        "signature": base64.b64encode(signature).decode(),
        "signature_algorithm": "ecdsa-sha256",
    }


def with_log(files: dict, key, tsa_url: str, padding: int = 5, entries=None) -> dict:
    """`files` plus log/: the journal's entries proven under a signed, timestamped head."""
    entries = json.loads(files["journal.json"]) if entries is None else entries
    others = [{"seq": -n, "action": "other.event"} for n in range(padding)]
    leaves = [merkle.leaf_hash(merkle.leaf_bytes(e)) for e in [*others, *entries]]
    head = sign_head(
        {
            "tree_size": len(leaves),
            "root_hash": merkle.root(leaves).hex(),
            "timestamp": datetime.now(UTC).isoformat(),
        },
        key,
    )
    digest = hashlib.sha256(merkle.head_bytes(head)).digest()
    token = asyncio.run(timestamper(tsa_url).async_timestamp(digest, "sha256"))
    head["timestamp_token"] = base64.b64encode(token.dump()).decode()
    proofs = [
        {
            "leaf_index": padding + n,
            "entry": entry,
            "audit_path": [node.hex() for node in merkle.inclusion_path(padding + n, leaves)],
        }
        for n, entry in enumerate(entries)
    ]
    return {
        **files,
        "log/head.json": _json(head),
        "log/log-key.pem": public_pem(key),
        "log/proofs.json": _json(proofs),
    }
