"""Reads a prepared decision PDF without a PDF library: its signed bytes and what it decides.

The portal's prepare step leaves one hex /Contents placeholder in the last signature
dictionary; `/ByteRange` must exclude exactly that placeholder and cover the rest of the file,
so that the digest the agent computes is the digest of the whole document. The decision
document generator writes number, matter and decision into the document information
dictionary under `INFO_KEYS`; pyHanko's incremental update rewrites that dictionary with every
key kept, so the trailer of the last revision names the current one.
"""

from zhangdian.signer.errors import DocumentUnreadable

import hashlib
import re


# The /Info keys the decision document generator writes (zhangdian.approval imports these).
INFO_KEYS = {"number": "ZDNumber", "matter": "ZDMatter", "decision": "ZDDecision"}

# Digest lengths of the algorithms a PAdES messageDigest can use; the portal uses SHA-256.
_DIGESTS = {32: "sha256", 48: "sha384", 64: "sha512"}
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_PLACEHOLDER = re.compile(rb"<[0-9A-Fa-f]+>")
_CONTENTS_KEY = re.compile(rb"/Contents\s*\Z")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_INFO_REF = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
_REFERENCE_TAIL = re.compile(rb"\s+\d+\s+R(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")
_WHITESPACE = b"\x00\t\n\x0c\r "
_DELIMITERS = b"()<>[]{}/%"
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def signed_digest(pdf: bytes, digest_length: int) -> bytes:
    """The digest over `pdf`'s signed byte range, with the algorithm of that digest length."""
    algorithm = _DIGESTS.get(digest_length)
    if algorithm is None:
        raise DocumentUnreadable()
    matches = list(_BYTE_RANGE.finditer(pdf))
    if not matches:
        raise DocumentUnreadable()
    start, first_end, second_start, second_length = (int(n) for n in matches[-1].groups())
    # The first range starts the file, the second ends it, the gap is the placeholder alone.
    if start != 0 or not 0 < first_end < second_start <= len(pdf):
        raise DocumentUnreadable()
    if second_start + second_length != len(pdf):
        raise DocumentUnreadable()
    if not _PLACEHOLDER.fullmatch(pdf, first_end, second_start):
        raise DocumentUnreadable()
    if not _CONTENTS_KEY.search(pdf[max(0, first_end - 64) : first_end]):
        raise DocumentUnreadable()
    digest = hashlib.new(algorithm)
    digest.update(memoryview(pdf)[:first_end])
    digest.update(memoryview(pdf)[second_start:])
    return digest.digest()


def decision_summary(pdf: bytes) -> dict[str, str]:
    """Number, matter and decision from the information dictionary of the last revision."""
    try:
        trailer = _last_trailer(pdf)
        reference = _INFO_REF.search(trailer)
        if reference is None:
            raise DocumentUnreadable()
        info = _object_dictionary(pdf, int(reference[1]), int(reference[2]))
        summary = {key: info[name] for key, name in INFO_KEYS.items()}
    except (KeyError, IndexError, ValueError, RecursionError):
        raise DocumentUnreadable() from None
    if not all(type(value) is str and value for value in summary.values()):
        raise DocumentUnreadable()
    return summary


def _last_trailer(pdf: bytes) -> bytes:
    """The bytes of the last revision's trailer: a classic trailer or an xref stream's head."""
    match = _STARTXREF.search(pdf, max(0, len(pdf) - 1024))
    if match is None:
        raise DocumentUnreadable()
    offset = int(match[1])
    if pdf.startswith(b"xref", offset):
        start = pdf.index(b"trailer", offset)
        return pdf[start : match.start()]
    # A cross-reference stream: its dictionary holds the trailer's keys.
    end = pdf.index(b"stream", offset)
    return pdf[offset:end]


def _object_dictionary(pdf: bytes, number: int, generation: int) -> dict:
    """The dictionary of object `number` `generation`, in its last (newest) definition."""
    # Writers start each object on a line of its own.
    pattern = re.compile(rb"(?<=[\r\n])%d\s+%d\s+obj\b" % (number, generation))
    definitions = list(pattern.finditer(pdf))
    if not definitions:
        raise DocumentUnreadable()
    value, _end = _parse(pdf, _skip(pdf, definitions[-1].end()))
    if not isinstance(value, dict):
        raise DocumentUnreadable()
    return value


class _Name(str):
    """A PDF name such as /Sig, told apart from a text string."""


def _skip(pdf: bytes, at: int) -> int:
    """The position of the next token after whitespace and comments."""
    while at < len(pdf):
        if pdf[at] in _WHITESPACE:
            at += 1
        elif pdf[at] == ord("%"):
            while at < len(pdf) and pdf[at] not in b"\r\n":
                at += 1
        else:
            return at
    raise DocumentUnreadable()


def _parse(pdf: bytes, at: int):
    """The PDF object at `at` and the position after it (strings decoded; numbers as None)."""
    if pdf.startswith(b"<<", at):
        result = {}
        at = _skip(pdf, at + 2)
        while not pdf.startswith(b">>", at):
            key, at = _parse(pdf, at)
            if not isinstance(key, _Name):
                raise DocumentUnreadable()
            value, at = _parse(pdf, _skip(pdf, at))
            result[str(key)] = value
            at = _skip(pdf, at)
        return result, at + 2
    byte = pdf[at]
    if byte == ord("["):
        items = []
        at = _skip(pdf, at + 1)
        while pdf[at] != ord("]"):
            item, at = _parse(pdf, at)
            items.append(item)
            at = _skip(pdf, at)
        return items, at + 1
    if byte == ord("("):
        return _literal_string(pdf, at + 1)
    if byte == ord("<"):
        end = pdf.index(b">", at)
        digits = re.sub(rb"\s", b"", pdf[at + 1 : end])
        if len(digits) % 2:
            digits += b"0"
        return _text(bytes.fromhex(digits.decode("ascii"))), end + 1
    # A name, number or keyword (true, null): a run of regular characters.
    end = at + 1
    while end < len(pdf) and pdf[end] not in _WHITESPACE and pdf[end] not in _DELIMITERS:
        end += 1
    if byte == ord("/"):
        return _Name(pdf[at + 1 : end].decode("latin-1")), end
    reference = _REFERENCE_TAIL.match(pdf, end)
    if pdf[at:end].isdigit() and reference is not None:
        return None, reference.end()
    return None, end


def _literal_string(pdf: bytes, at: int):
    """The decoded literal string starting after its "(" and the position after its ")"."""
    out = bytearray()
    depth = 0
    while True:
        byte = pdf[at]
        at += 1
        if byte == ord("\\"):
            escaped = pdf[at]
            at += 1
            if escaped in b"01234567":
                digits = bytes([escaped])
                while len(digits) < 3 and pdf[at] in b"01234567":
                    digits += bytes([pdf[at]])
                    at += 1
                out.append(int(digits, 8) & 0xFF)
            elif escaped in b"\r\n":
                # A backslash at the end of a line continues the string on the next one.
                if escaped == ord("\r") and pdf[at] == ord("\n"):
                    at += 1
            else:
                out.append(_ESCAPES.get(escaped, escaped))
        elif byte == ord("("):
            depth += 1
            out.append(byte)
        elif byte == ord(")"):
            if depth == 0:
                return _text(bytes(out)), at
            depth -= 1
            out.append(byte)
        else:
            out.append(byte)


def _text(raw: bytes) -> str:
    """A PDF text string: UTF-16BE or UTF-8 after their byte-order marks, else PDFDocEncoding."""
    try:
        if raw.startswith(b"\xfe\xff"):
            return raw[2:].decode("utf-16-be")
        if raw.startswith(b"\xef\xbb\xbf"):
            return raw[3:].decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentUnreadable() from None
    # PDFDocEncoding matches Latin-1 on the printable ASCII the portal writes without a mark.
    return raw.decode("latin-1")
