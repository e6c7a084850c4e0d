"""Secure by default: loopback binding, token auth (constant-time), TLS and mutual TLS with a test-made CA."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from bridge_support import make_model, make_pki, observations

from botsdk.game_bridge.client import BridgeClient
from botsdk.game_bridge.errors import InsecureBindError, PlaintextTokenError
from botsdk.game_bridge.security import TlsFiles, check_bind, is_loopback, read_token_file
from botsdk.game_bridge.server import BridgeServer

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("sec") / "policy.onnx")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_non_loopback_without_protection_is_refused(model):
    with pytest.raises(InsecureBindError, match="token.*TLS"):
        BridgeServer(model, host="0.0.0.0", port=0)
    assert check_bind("0.0.0.0", None, TlsFiles(cert=Path("c"), key=Path("k"))) is None  # TLS: allowed
    assert check_bind("::1", None, None) is None and check_bind("127.0.0.1", TOKEN, None) is None
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")


def test_token_file(tmp_path):
    (tmp_path / "t").write_text(f"  {TOKEN}\n")
    assert read_token_file(tmp_path / "t") == TOKEN
    (tmp_path / "e").write_text("\n")
    with pytest.raises(ValueError, match="empty"):
        read_token_file(tmp_path / "e")


def test_token_required_on_every_rpc_but_health(model):
    with BridgeServer(model, port=0, token=TOKEN) as server:
        with BridgeClient(server.target) as anonymous, BridgeClient(server.target, token="wrong") as wrong, \
                BridgeClient(server.target, token=TOKEN) as good:
            assert anonymous.health() == "SERVING"  # probes carry no credentials
            for client, words in ((anonymous, "missing"), (wrong, "invalid token")):
                with pytest.raises(grpc.RpcError) as err:
                    client.get_spec()
                assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED and words in err.value.details()
                with pytest.raises(grpc.RpcError) as err:
                    client.session().step(["a"], observations(1), episode_start=[True])
                assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
                with pytest.raises(grpc.RpcError) as err:
                    client.reload(model.name)
                assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert good.get_spec().model_version == "synthetic-1"
            with good.session() as s:
                assert s.step(["a"], observations(1), episode_start=[True]).shape == (1, 4)
            with pytest.raises(grpc.RpcError) as err:  # the engine token opens no admin RPC; admin is off here
                good.reload(model.name)
            assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "--admin-token-file" in err.value.details()


def test_a_token_in_clear_text_beyond_loopback_is_refused_unless_allowed_with_a_warning(model, caplog):
    with pytest.raises(PlaintextTokenError, match="clear text.*--allow-plaintext-token"):
        BridgeServer(model, host="0.0.0.0", port=0, token=TOKEN)
    with pytest.raises(PlaintextTokenError):
        BridgeServer(model, host="0.0.0.0", port=0, admin_token=TOKEN, models_dir=model.parent)
    with caplog.at_level("WARNING", logger="botsdk.game_bridge"):
        server = BridgeServer(model, host="0.0.0.0", port=0, token=TOKEN, allow_plaintext_token=True)
    assert "clear text" in server.warning
    assert [r.event for r in caplog.records] == ["plaintext_token_allowed"]


def test_tls_and_plaintext_refused(model, pki):
    tls = TlsFiles(cert=pki["server.pem"], key=pki["server.key"])
    with BridgeServer(model, port=0, tls=tls) as server:
        with BridgeClient(server.target, tls=TlsFiles(ca=pki["ca.pem"])) as client:
            assert client.get_spec().model_version == "synthetic-1"
            with client.session() as s:
                assert s.step(["a"], observations(1), episode_start=[True]).shape == (1, 4)
        with BridgeClient(server.target) as plain:
            with pytest.raises(grpc.RpcError) as err:
                plain.get_spec(timeout=3)
            assert err.value.code() == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls_requires_a_client_certificate(model, pki):
    tls = TlsFiles(cert=pki["server.pem"], key=pki["server.key"], ca=pki["ca.pem"])
    with BridgeServer(model, host="127.0.0.1", port=0, tls=tls) as server:
        full = TlsFiles(ca=pki["ca.pem"], cert=pki["client.pem"], key=pki["client.key"])
        with BridgeClient(server.target, tls=full) as client:
            assert client.act(["a"], observations(1), episode_start=[True]).shape == (1, 4)
        with BridgeClient(server.target, tls=TlsFiles(ca=pki["ca.pem"])) as no_cert:
            with pytest.raises(grpc.RpcError) as err:
                no_cert.get_spec(timeout=3)
            assert err.value.code() == grpc.StatusCode.UNAVAILABLE


def test_tls_missing_files_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        TlsFiles(cert=tmp_path / "nope.pem", key=tmp_path / "nope.key").server_credentials()
