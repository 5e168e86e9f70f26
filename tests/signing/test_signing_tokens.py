"""The PKCS#11 worker, token errors, SoftHSM provisioning and the loopback TSA."""

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric import utils
from cryptography.x509.oid import ExtendedKeyUsageOID
from tests.helpers.server_signing import sign_on_server
from tests.helpers.signing import LIBRARY
from tests.helpers.signing import PIN
from tests.helpers.signing import RSA_TOKEN
from tests.helpers.signing import SO_PIN
from urllib.parse import urlsplit
from zhangdian.approval.signing.errors import TimestampFailed
from zhangdian.approval.signing.errors import TokenSigningError
from zhangdian.approval.signing.errors import portal_errors_for_signer_errors
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.signing.timestamps import timestamper
from zhangdian.approval.signing.trust import check_signing_certificate
from zhangdian.approval.signing.verify import verify
from zhangdian.approval.testing import softhsm
from zhangdian.approval.testing.tsa import make_tsa_certificate
from zhangdian.signer import pkcs11_worker
from zhangdian.signer import token
from zhangdian.signer.errors import KeyNotFound
from zhangdian.signer.errors import LibraryMissing
from zhangdian.signer.errors import PinLocked
from zhangdian.signer.errors import SignerError
from zhangdian.signer.errors import TokenNotFound
from zhangdian.signer.errors import WrongPin

import http.client
import pkcs11
import pytest
import socket
import threading


def test_wrong_pin_is_our_error_with_a_translatable_message():
    with pytest.raises(TokenSigningError) as caught, portal_errors_for_signer_errors():
        token.sign_data_with_token(LIBRARY, RSA_TOKEN, "000000", b"data")
    error = caught.value
    assert isinstance(error.__cause__, WrongPin)
    assert error.message.domain == "zhangdian.approval"
    assert error.message.mapping == {"label": RSA_TOKEN}
    assert str(error).startswith(f"The PIN for the signing token {RSA_TOKEN} is wrong.")
    assert error.as_json() == {"type": "wrong_pin", "message": str(error)}
    assert error.status == 401


def test_the_signer_reports_a_wrong_pin_in_english_with_code_and_status():
    with pytest.raises(WrongPin) as caught:
        token.sign_data_with_token(LIBRARY, RSA_TOKEN, "000000", b"data")
    error = caught.value
    assert error.mapping == {"label": RSA_TOKEN}
    assert str(error).startswith(f"The PIN for the signing token {RSA_TOKEN} is wrong.")
    assert error.as_json() == {"type": "wrong_pin", "message": str(error)}
    assert error.status == 401


def test_unknown_token_label_is_token_not_found():
    with pytest.raises(TokenNotFound) as caught:
        token.sign_data_with_token(LIBRARY, "no-such-token", PIN, b"data")
    assert "no-such-token" in str(caught.value)
    assert caught.value.status == 404


def test_unknown_key_label_is_key_not_found():
    with pytest.raises(KeyNotFound):
        token.sign_data_with_token(LIBRARY, RSA_TOKEN, PIN, b"data", key_label="other-key")
    with pytest.raises(KeyNotFound):
        token.token_certificate(LIBRARY, RSA_TOKEN, key_label="other-key")


def test_missing_library_is_reported(tmp_path):
    with pytest.raises(LibraryMissing) as caught:
        token.token_certificate(str(tmp_path / "libmissing.so"), RSA_TOKEN)
    assert "libmissing.so" in str(caught.value)
    not_a_library = tmp_path / "libbroken.so"
    not_a_library.write_bytes(b"not an ELF file")
    with pytest.raises(LibraryMissing):
        token.token_certificate(str(not_a_library), RSA_TOKEN)


def test_every_call_runs_on_the_one_worker_thread_of_the_library():
    seen = []

    def record(library):
        seen.append(threading.current_thread())
        return library

    callers = [threading.Thread(target=pkcs11_worker.run, args=(LIBRARY, record)) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert len(set(seen)) == 1
    assert seen[0] is not threading.current_thread()
    assert seen[0].name.startswith("pkcs11 ")


def test_run_returns_results_raises_errors_and_may_nest():
    def nested(library):
        return pkcs11_worker.run(LIBRARY, lambda inner: inner is library)

    assert pkcs11_worker.run(LIBRARY, nested) is True
    with pytest.raises(ZeroDivisionError):
        pkcs11_worker.run(LIBRARY, lambda library: 1 / 0)


def test_other_pkcs11_errors_become_token_failures():
    def fail(library):
        raise pkcs11.DeviceError()

    with pytest.raises(SignerError) as caught:
        pkcs11_worker.run(LIBRARY, fail)
    assert caught.value.code == "token_failure"
    assert "DeviceError" in str(caught.value)


class _LockedToken:
    """A token whose PIN is locked, as real USB keys report after too many attempts."""

    def open(self, rw=False, user_pin=None):
        raise pkcs11.PinLocked()


class _LibraryWithLockedToken:
    def get_token(self, token_label):
        return _LockedToken()


def test_locked_pin_is_pin_locked():
    with (
        pytest.raises(PinLocked) as caught,
        pkcs11_worker.open_session(_LibraryWithLockedToken(), "usbkey", PIN),
    ):
        pass
    assert caught.value.status == 403


class _RsaKeyWithoutHashMechanism:
    """An RSA key on a token that only offers raw CKM_RSA_PKCS."""

    key_type = pkcs11.KeyType.RSA

    def __init__(self):
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def sign(self, data, mechanism):
        if mechanism != pkcs11.Mechanism.RSA_PKCS:
            raise pkcs11.MechanismInvalid()
        digest_info_prefix = bytes.fromhex("3031300d060960864801650304020105000420")
        assert data.startswith(digest_info_prefix)
        digest = data[len(digest_info_prefix) :]
        return self.private_key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def test_rsa_falls_back_to_raw_pkcs1_over_a_digest_info():
    key = _RsaKeyWithoutHashMechanism()
    signature = token._sign_with(key, b"signed attributes")
    key.private_key.public_key().verify(
        signature, b"signed attributes", padding.PKCS1v15(), hashes.SHA256()
    )


def test_token_created_after_the_library_was_loaded_is_found(tokens, decision_pdf):
    cert = softhsm.provision_token(
        tokens.config, "approver3", PIN, SO_PIN, "张伟", tokens.ca_cert, tokens.ca_key, "EC"
    )
    assert check_signing_certificate(cert, [tokens.ca_cert]).common_name == "张伟"
    signed = sign_on_server(decision_pdf, library_path=LIBRARY, token_label="approver3", pin=PIN)
    assert verify(signed, [tokens.ca_cert]).ok


def test_private_keys_never_leave_the_token():
    def private_key_flags(library):
        with pkcs11_worker.open_session(library, RSA_TOKEN, PIN) as session:
            (key,) = session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY})
            return key[pkcs11.Attribute.EXTRACTABLE], key[pkcs11.Attribute.SENSITIVE]

    assert pkcs11_worker.run(LIBRARY, private_key_flags) == (False, True)


def test_another_softhsm_config_cannot_replace_the_loaded_one(tmp_path):
    with pytest.raises(RuntimeError, match="already loaded"):
        softhsm.activate(softhsm.write_config(tmp_path))


def test_missing_softhsm_util_says_how_to_install_it(tokens, monkeypatch):
    monkeypatch.setattr(softhsm.shutil, "which", lambda program: None)
    with pytest.raises(softhsm.SoftHSMMissing, match="make system-deps"):
        softhsm.init_token(tokens.config, "approver9", PIN, SO_PIN)


def test_tsa_certificate_is_for_timestamping_only(tokens):
    cert, _ = make_tsa_certificate(tokens.ca_cert, tokens.ca_key)
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical
    assert list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert cert.issuer == tokens.ca_cert.subject


def test_loopback_tsa_refuses_garbage(tsa_url):
    parts = urlsplit(tsa_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(
        "POST", "/", body=b"garbage", headers={"Content-Type": "application/timestamp-query"}
    )
    assert connection.getresponse().status == 400
    connection.close()
    assert timestamper(tsa_url).url == tsa_url


def test_unreachable_tsa_is_timestamp_failed(tokens, decision_pdf):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(TimestampFailed):
        prepare(decision_pdf, tokens.rsa_cert, timestamp_url=f"http://127.0.0.1:{closed_port}/")
