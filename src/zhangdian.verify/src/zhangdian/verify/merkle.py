"""The Merkle-tree arithmetic of RFC 9162 section 2.1, the one copy portal and verifier share.

A leaf's hash is SHA-256(0x00 || leaf bytes) and an inner node's SHA-256(0x01 || left || right),
so a leaf can never pass for a node. The tree over n leaves splits at k, the largest power of
two below n. Building proofs here walks a list of leaf hashes (the reference the portal's
stored tree is tested against); checking them needs only the proof and a signed head.
"""

import hashlib
import json


EMPTY_ROOT = hashlib.sha256(b"").digest()


def canonical_json(value):
    """UTF-8 JSON with sorted keys and no spaces: the same bytes for the same value, anywhere."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def leaf_bytes(entry):
    """The bytes a journal entry is logged as: its canonical JSON."""
    return canonical_json(entry)


HEAD_FIELDS = ("log_id", "root_hash", "timestamp", "tree_size")


def head_bytes(head):
    """The bytes a tree head's signature and timestamp cover: its signed fields only."""
    return canonical_json({name: head[name] for name in HEAD_FIELDS})


def leaf_hash(data):
    """RFC 9162 leaf hash of `data` (bytes)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    """RFC 9162 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n):
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root(hashes):
    """The Merkle tree hash over a list of leaf hashes."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = split_point(len(hashes))
    return node_hash(root(hashes[:k]), root(hashes[k:]))


def inclusion_path(index, hashes):
    """The audit path of leaf `index` (0-based) in the tree over `hashes`, leaf side first."""
    if len(hashes) <= 1:
        return []
    k = split_point(len(hashes))
    if index < k:
        return [*inclusion_path(index, hashes[:k]), root(hashes[k:])]
    return [*inclusion_path(index - k, hashes[k:]), root(hashes[:k])]


def consistency_proof(first, hashes):
    """The proof that the tree over hashes[:first] is a prefix of the tree over `hashes`."""
    if not 0 < first <= len(hashes):
        raise ValueError("first must be between 1 and the tree size")
    return _subproof(first, hashes, True)


def _subproof(m, hashes, complete):
    n = len(hashes)
    if m == n:
        return [] if complete else [root(hashes)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), root(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), root(hashes[:k])]


def verify_inclusion(index, size, leaf, path, expected_root):
    """True when `path` proves leaf hash `leaf` at `index` in the tree of `size` with that root."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(first, second, first_root, second_root, proof):
    """True when `proof` shows the tree of size `first` is a prefix of the one of size `second`."""
    if first > second or first < 1:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:
        # A power of two: the first tree is itself a node of the second.
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
