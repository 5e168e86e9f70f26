"""RFC 9162 Merkle arithmetic (zhangdian.verify.merkle): proofs built and checked, and tampering named."""

from zhangdian.verify import merkle

import hashlib
import pytest


def leaves(n):
    """Leaf hashes of n distinct entries."""
    return [merkle.leaf_hash(merkle.leaf_bytes({"seq": i + 1})) for i in range(n)]


def test_leaf_and_node_hashes_are_domain_separated():
    """A leaf's hash is SHA-256(0x00||d), a node's SHA-256(0x01||l||r): the RFC's prefixes."""
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.root([]) == hashlib.sha256(b"").digest()


def test_root_of_three_leaves_follows_the_rfc_split():
    """Three leaves split 2 + 1: MTH = H(1 || H(1||a||b) || c)."""
    a, b, c = leaves(3)
    assert merkle.root([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31])
def test_every_inclusion_proof_checks_and_a_changed_leaf_fails(size):
    """Each leaf of each tree is proved; the neighbouring index, a changed leaf or a short path fail."""
    hashes = leaves(size)
    top = merkle.root(hashes)
    changed = merkle.leaf_hash(b"changed")
    for index in range(size):
        path = merkle.inclusion_path(index, hashes)
        assert merkle.verify_inclusion(index, size, hashes[index], path, top)
        assert not merkle.verify_inclusion(index, size, changed, path, top)
        assert not merkle.verify_inclusion(size, size, hashes[index], path, top)
        if path:
            assert not merkle.verify_inclusion(index, size, hashes[index], path[:-1], top)
        if size > 1:
            other = (index + 1) % size
            assert not merkle.verify_inclusion(other, size, hashes[index], path, top)


@pytest.mark.parametrize("second", [1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 16, 21])
def test_every_consistency_proof_checks_and_a_rewritten_log_fails(second):
    """For every prefix size, the proof checks; after one early entry is rewritten it does not."""
    hashes = leaves(second)
    rewritten = [merkle.leaf_hash(b"rewritten"), *hashes[1:]]
    for first in range(1, second + 1):
        proof = merkle.consistency_proof(first, hashes)
        old_root = merkle.root(hashes[:first])
        assert merkle.verify_consistency(first, second, old_root, merkle.root(hashes), proof)
        forged = merkle.consistency_proof(first, rewritten)
        assert not merkle.verify_consistency(
            first, second, old_root, merkle.root(rewritten), forged
        )


def test_consistency_refuses_a_shrinking_log_and_an_empty_first_tree():
    """A head smaller than an earlier one, or a first size of 0, is never consistent."""
    hashes = leaves(5)
    assert not merkle.verify_consistency(5, 4, merkle.root(hashes), merkle.root(hashes[:4]), [])
    with pytest.raises(ValueError):
        merkle.consistency_proof(0, hashes)


def test_head_bytes_cover_the_signed_fields_only():
    """Signature and timestamp token are not part of what they sign; key order does not matter."""
    head = {"tree_size": 3, "root_hash": "ab", "timestamp": "t", "log_id": "l"}
    assert merkle.head_bytes({**head, "signature": "s"}) == merkle.head_bytes(
        dict(reversed(head.items()))
    )
    assert (
        merkle.head_bytes(head) == b'{"log_id":"l","root_hash":"ab","timestamp":"t","tree_size":3}'
    )
