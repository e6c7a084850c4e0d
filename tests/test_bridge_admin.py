"""ReloadPolicy is an admin RPC: off unless the server has an admin token distinct from the engines' token and a
models directory; it loads by name from that directory only, answers missing and unreadable alike, and every
answer is a documented status (never UNKNOWN)."""

from __future__ import annotations

import os
from pathlib import Path

import grpc
import pytest
from bridge_support import make_model

from botsdk.game_bridge.client import BridgeClient
from botsdk.game_bridge.server import BridgeServer

ENGINE, ADMIN = "engine-token", "admin-token"


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    make_model(root / "a.onnx", seed=1)
    make_model(root / "b.onnx", seed=2)
    (root / "junk.onnx").write_bytes(b"not an onnx model at all")
    (root / "folder.onnx").mkdir()
    outside = make_model(root.parent / "outside.onnx", seed=3)
    (root / "link-out.onnx").symlink_to(outside)
    return root


def _status(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def test_reload_is_off_by_default_even_on_loopback_without_tokens(models_dir):
    with BridgeServer(models_dir / "a.onnx", port=0) as server, BridgeClient(server.target) as client:
        code, details = _status(lambda: client.reload("b.onnx"))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "--admin-token-file" in details


def test_only_the_admin_token_opens_reload(models_dir):
    with BridgeServer(models_dir / "a.onnx", port=0, token=ENGINE, admin_token=ADMIN, models_dir=models_dir) as server:
        with BridgeClient(server.target, token=ENGINE) as engine, BridgeClient(server.target) as anonymous, \
                BridgeClient(server.target, token=ENGINE, admin_token="guess") as wrong, \
                BridgeClient(server.target, token=ENGINE, admin_token=ADMIN) as admin:
            assert _status(lambda: engine.reload("b.onnx"))[0] == grpc.StatusCode.PERMISSION_DENIED
            assert _status(lambda: anonymous.reload("b.onnx"))[0] == grpc.StatusCode.UNAUTHENTICATED
            assert _status(lambda: wrong.reload("b.onnx"))[0] == grpc.StatusCode.UNAUTHENTICATED
            assert admin.reload("b.onnx").model_version == "synthetic-1"
        with BridgeClient(server.target, token=ADMIN) as admin_as_engine:  # the admin token is no engine key
            assert _status(lambda: admin_as_engine.get_spec())[0] == grpc.StatusCode.UNAUTHENTICATED


def test_reload_loads_by_name_from_the_models_directory_only(models_dir):
    with BridgeServer(models_dir / "a.onnx", port=0, admin_token=ADMIN, models_dir=models_dir) as server, \
            BridgeClient(server.target, admin_token=ADMIN) as admin:
        for name in ("/etc/passwd", "../outside.onnx", "sub/a.onnx", "..", ".hidden.onnx", "", "x" * 300):
            code, details = _status(lambda: admin.reload(name))
            assert code == grpc.StatusCode.INVALID_ARGUMENT and "not a path" in details, (name, details)
        answers = {}
        names = ["missing.onnx", "folder.onnx", "link-out.onnx"]
        unreadable = models_dir / "locked.onnx"
        make_model(unreadable, seed=4)
        unreadable.chmod(0)
        if not os.access(unreadable, os.R_OK):  # root reads anything: then the check is the other three
            names.append("locked.onnx")
        for name in names:
            code, details = _status(lambda: admin.reload(name))
            answers[name] = (code, details.replace(repr(name), "NAME"))
        assert set(answers.values()) == {(grpc.StatusCode.NOT_FOUND, "model_name NAME: no readable model of that "
                                                                     "name in the server's models directory")}
        code, details = _status(lambda: admin.reload("junk.onnx"))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and "expected a botsdk-exported .onnx model" in details
        assert admin.health() == "SERVING" and admin.reload("b.onnx").contract_hash


def test_admin_settings_are_checked_at_startup(models_dir):
    with pytest.raises(ValueError, match="distinct from the engine token"):
        BridgeServer(models_dir / "a.onnx", port=0, token=ENGINE, admin_token=ENGINE, models_dir=models_dir)
    with pytest.raises(ValueError, match="models directory"):
        BridgeServer(models_dir / "a.onnx", port=0, admin_token=ADMIN)
    with pytest.raises(ValueError, match="existing directory"):
        BridgeServer(models_dir / "a.onnx", port=0, admin_token=ADMIN, models_dir=models_dir / "nope")
