"""The verifier's report texts in zh_CN and en, keyed by check code (no Plone i18n here)."""

import locale
import os


LANGUAGES = ("zh_CN", "en")

# code: (text when it holds, text when it fails); {placeholders} from the check's details.
MESSAGES = {
    "zh_CN": {
        "title": "张店区行政审批决定 证据包离线核验报告",
        "bundle": ("证据包可读，清单中每个文件的 SHA-256 一致", "证据包不完整或被改动：{detail}"),
        "pdf_signature": (
            "决定书签名完好，文件自签名后未被改动",
            "决定书签名无效：{detail}",
        ),
        "signer_chain": (
            "签名证书在签名时由给定的信任根签发且有效（{subject}）",
            "签名证书在签名时不可信：{detail}",
        ),
        "signer_revocation": (
            "签名证书在签名时未被吊销（依据证据包中的吊销列表）",
            "签名证书在签名前已被吊销（{detail}）",
        ),
        "pdf_timestamps": (
            "决定书的时间戳有效，签名时间 {time}",
            "决定书的时间戳无效或缺失：{detail}",
        ),
        "validation_data": (
            "决定书内嵌长期验证数据（证书、吊销列表）",
            "决定书未内嵌长期验证数据",
        ),
        "no_validation_data": (
            "注意：决定书未内嵌长期验证数据，仅依据证据包中的证书和吊销列表",
            "",
        ),
        "log_key": ("日志公钥由核验人提供", "日志公钥无效：{detail}"),
        "log_key_self_supplied": (
            "注意：日志公钥取自证据包本身（log/log-key.pem），请用 --log-key 提供独立获得的公钥",
            "",
        ),
        "head_signature": (
            "日志树头签名有效（树大小 {tree_size}，时间 {timestamp}）",
            "日志树头签名无效：{detail}",
        ),
        "head_timestamp": (
            "日志树头带有有效时间戳（{time}）",
            "日志树头的时间戳无效：{detail}",
        ),
        "inclusion": (
            "全部 {count} 条日志记录均由包含证明对应到已签名的树头",
            "日志记录未能证明包含在日志中：{detail}",
        ),
        "journal_complete": (
            "日志记录与包含证明一一对应",
            "日志记录与包含证明不一致：{detail}",
        ),
        "decision_entry": (
            "决定的日志记录载明签名证书指纹和当时有效的授权",
            "决定的日志记录与签名或授权不符：{detail}",
        ),
        "authorization": (
            "作出决定时授权有效（{valid_from} 至 {valid_until}），绑定该签名证书",
            "作出决定时的授权不成立：{detail}",
        ),
        "result_ok": "结论：全部核验通过。",
        "result_failed": "结论：核验未通过。",
        "ok": "通过",
        "failed": "未通过",
        "warning": "注意",
    },
    "en": {
        "title": "Zhangdian approval decision — offline evidence bundle verification",
        "bundle": (
            "The bundle is readable and every file matches its SHA-256 in the manifest",
            "The bundle is incomplete or changed: {detail}",
        ),
        "pdf_signature": (
            "The decision's signature is intact; the document is unchanged since signing",
            "The decision's signature is not valid: {detail}",
        ),
        "signer_chain": (
            "At signing time the signer's certificate was valid and issued by the given "
            "anchor ({subject})",
            "At signing time the signer's certificate was not trusted: {detail}",
        ),
        "signer_revocation": (
            "The signer's certificate was not revoked at signing time (by the bundle's CRLs)",
            "The signer's certificate was revoked before signing ({detail})",
        ),
        "pdf_timestamps": (
            "The decision's timestamps are valid; signed at {time}",
            "The decision's timestamp is invalid or missing: {detail}",
        ),
        "validation_data": (
            "The decision embeds long-term validation data (certificates, CRLs)",
            "The decision embeds no long-term validation data",
        ),
        "no_validation_data": (
            "Warning: the decision embeds no long-term validation data; only the bundle's "
            "certificates and CRLs were used",
            "",
        ),
        "log_key": ("The log key was supplied by you", "The log key is not usable: {detail}"),
        "log_key_self_supplied": (
            "Warning: the log key comes from the bundle itself (log/log-key.pem); give one "
            "obtained independently with --log-key",
            "",
        ),
        "head_signature": (
            "The log's tree head signature verifies (size {tree_size}, time {timestamp})",
            "The log's tree head signature does not verify: {detail}",
        ),
        "head_timestamp": (
            "The tree head carries a valid timestamp ({time})",
            "The tree head's timestamp is not valid: {detail}",
        ),
        "inclusion": (
            "All {count} journal entries are proven included under the signed tree head",
            "A journal entry is not proven included in the log: {detail}",
        ),
        "journal_complete": (
            "The journal entries and the inclusion proofs correspond one to one",
            "The journal entries and the inclusion proofs differ: {detail}",
        ),
        "decision_entry": (
            "The decision's journal entry names the signing certificate and the authorisation "
            "that was active",
            "The decision's journal entry does not match the signature or authorisation: {detail}",
        ),
        "authorization": (
            "At decision time the authorisation was active ({valid_from} to {valid_until}) "
            "with this signing certificate bound",
            "The authorisation at decision time does not hold: {detail}",
        ),
        "result_ok": "Result: every check holds.",
        "result_failed": "Result: verification FAILED.",
        "ok": "OK",
        "failed": "FAILED",
        "warning": "WARNING",
    },
}

# Reasons a check fails, by code, as detail texts.
REASONS = {
    "zh_CN": {
        "missing_file": "缺少文件 {name}",
        "digest_mismatch": "文件 {name} 与清单不符",
        "unlisted_file": "文件 {name} 不在清单中",
        "not_a_bundle": "不是有效的证据包（ZIP）",
        "unreadable_pdf": "决定书不是可读的 PDF",
        "unsigned": "决定书没有签名",
        "changed": "决定书在签名后被改动",
        "invalid": "签名值与签名证书不符",
        "appended": "签名后又追加了内容",
        "untrusted": "签名证书不是由给定的信任根签发",
        "expired_at_signing": "签名时签名证书已过期",
        "revoked": "吊销时间 {time}",
        "no_timestamp": "没有时间戳",
        "tsa_untrusted": "时间戳无效或时间戳机构不可信",
        "signer_certificate_differs": "signer-certificate.der 与签名中的证书不同",
        "no_log": "证据包中没有日志部分（log/）",
        "bad_key": "无法读取日志公钥",
        "log_id_mismatch": "树头的 log_id 与日志公钥不符",
        "bad_signature": "签名与树头内容不符",
        "unknown_algorithm": "未知的签名算法 {algorithm}",
        "imprint_mismatch": "时间戳不是对该树头作出的",
        "bad_proof": "第 {index} 条记录（序号 {seq}）的包含证明不成立",
        "entry_without_proof": "记录（序号 {seq}）没有包含证明",
        "proof_without_entry": "包含证明的记录（序号 {seq}）不在 journal.json 中",
        "no_decision_entry": "没有记载该决定书（SHA-256）的日志记录",
        "fingerprint_mismatch": "记录的证书指纹与签名证书不同",
        "authorization_mismatch": "记录的授权与 authorization.json 不同",
        "no_authorization": "证据包中没有授权记录",
        "not_active": "当时授权状态为 {state}",
        "outside_term": "决定日期 {date} 不在授权期限内",
        "other_certificate": "授权绑定的是另一张证书",
    },
    "en": {
        "missing_file": "the file {name} is missing",
        "digest_mismatch": "the file {name} does not match the manifest",
        "unlisted_file": "the file {name} is not in the manifest",
        "not_a_bundle": "not a readable evidence bundle (ZIP)",
        "unreadable_pdf": "the decision is not a readable PDF",
        "unsigned": "the decision carries no signature",
        "changed": "the decision was changed after it was signed",
        "invalid": "the signature value does not match the signer's certificate",
        "appended": "content was added after signing",
        "untrusted": "the signer's certificate was not issued by the given anchor",
        "expired_at_signing": "the signer's certificate had expired when it signed",
        "revoked": "revoked at {time}",
        "no_timestamp": "no timestamp",
        "tsa_untrusted": "the timestamp is invalid or its authority is not trusted",
        "signer_certificate_differs": "signer-certificate.der is not the certificate that signed",
        "no_log": "the bundle has no log part (log/)",
        "bad_key": "the log key cannot be read",
        "log_id_mismatch": "the head's log_id is not the log key's",
        "bad_signature": "the signature does not match the head",
        "unknown_algorithm": "unknown signature algorithm {algorithm}",
        "imprint_mismatch": "the timestamp is not over this tree head",
        "bad_proof": "the inclusion proof of entry {index} (seq {seq}) fails",
        "entry_without_proof": "the entry (seq {seq}) has no inclusion proof",
        "proof_without_entry": "the proven entry (seq {seq}) is not in journal.json",
        "no_decision_entry": "no journal entry records this decision document (SHA-256)",
        "fingerprint_mismatch": "the entry's certificate fingerprint is not the signer's",
        "authorization_mismatch": "the entry's authorisation is not the one in authorization.json",
        "no_authorization": "the bundle has no authorisation record",
        "not_active": "the authorisation was {state}",
        "outside_term": "the decision date {date} is outside the authorisation's term",
        "other_certificate": "the authorisation bound another certificate",
    },
}


def default_language(environ=os.environ):
    """zh_CN when the user's locale is Chinese, else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh_CN" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh_CN" if code.lower().startswith(("zh", "chinese")) else "en"
