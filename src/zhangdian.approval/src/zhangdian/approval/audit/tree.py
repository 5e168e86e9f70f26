"""The journal's Merkle tree as the ZODB stores it: complete-subtree hashes, level by level.

Level 0 holds the leaf hashes; level L holds the hash of every complete subtree of 2**L
leaves, written when its last leaf arrives. RFC 9162 splits a tree at powers of two, so every
subtree a proof needs is either one of those or splits into them: a root, an audit path or a
consistency proof reads O(log n) stored hashes. The hashing itself is zhangdian.verify.merkle.
"""

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from zhangdian.verify import merkle


class LogTree(Persistent):
    """Leaf and complete-subtree hashes keyed by (level, index); `size` leaves so far."""

    def __init__(self):
        self.nodes = OOBTree()
        self.size = 0

    def append(self, leaf):
        """Add one leaf hash and every complete subtree it closes."""
        index = self.size
        self.nodes[(0, index)] = leaf
        level, position, node = 0, index, leaf
        while position & 1:
            node = merkle.node_hash(self.nodes[(level, position - 1)], node)
            level, position = level + 1, position >> 1
            self.nodes[(level, position)] = node
        self.size = index + 1

    def leaf(self, index):
        """The stored hash of leaf `index`."""
        return self.nodes[(0, index)]

    def subtree(self, start, end):
        """The Merkle tree hash over leaves [start, end)."""
        count = end - start
        if count == 0:
            return merkle.EMPTY_ROOT
        if count & (count - 1) == 0 and start % count == 0:
            return self.nodes[(count.bit_length() - 1, start // count)]
        k = merkle.split_point(count)
        return merkle.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size=None):
        """The root hash of the tree over the first `size` leaves (all by default)."""
        return self.subtree(0, self.size if size is None else size)

    def inclusion_path(self, index, size):
        """The audit path of leaf `index` in the tree of `size` leaves, leaf side first."""
        path, start, end = [], 0, size
        while end - start > 1:
            k = merkle.split_point(end - start)
            if index < start + k:
                path.append(self.subtree(start + k, end))
                end = start + k
            else:
                path.append(self.subtree(start, start + k))
                start += k
        return path[::-1]

    def consistency_proof(self, first, second):
        """The proof that the tree of `first` leaves is a prefix of the tree of `second`."""
        if not 0 < first <= second <= self.size:
            raise ValueError("need 0 < first <= second <= size")
        proof, start, end, m, complete = [], 0, second, first, True
        while m != end - start:
            k = merkle.split_point(end - start)
            if m <= k:
                proof.append(self.subtree(start + k, end))
                end = start + k
            else:
                proof.append(self.subtree(start, start + k))
                m -= k
                start += k
                complete = False
        if not complete:
            proof.append(self.subtree(start, end))
        return proof[::-1]
