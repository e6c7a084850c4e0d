"""Shared helpers of the bridge tests: a synthetic model (no torch), observations, and a self-made CA (openssl)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np

from botsdk.arena.contract import arena_contract


def make_model(path: Path, seed: int = 0, recurrent: bool = True, contract=None) -> Path:
    from fixtures.synthetic_model import make_random_policy_onnx

    return make_random_policy_onnx(contract or arena_contract(), path, recurrent=recurrent, seed=seed)


def make_history_model(path: Path, seed: int = 0) -> Path:
    """A small untrained policy of the default kind (it reads its previous action), exported the real way."""
    import torch

    from botsdk.export.onnx_export import export_policy
    from botsdk.training.config import TrainConfig
    from botsdk.training.models import build_policy

    torch.manual_seed(seed)
    policy = build_policy(arena_contract(), TrainConfig(hidden_sizes=[32], style_embedding=8))
    export_policy(policy, arena_contract(), path, model_version="history@step0", training_config={},
                  dataset_hash="none")
    return path


def observations(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, arena_contract().observation_size), dtype=np.float32)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(directory: Path) -> dict[str, Path]:
    """A throw-away CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=botsdk test CA", cwd=directory)
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"),
                      ("client", "extendedKeyUsage=clientAuth")):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=directory)
        (directory / f"{name}.ext").write_text(ext + "\n")
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=directory)
    return {n: directory / n for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")}


def eventually(predicate, timeout: float = 5.0) -> bool:
    """Poll `predicate` until true or `timeout` seconds pass (server-side cleanup runs on gRPC's threads)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def with_temperature(path: Path, temperature: float) -> Path:
    """Stamp the temperature a model was evaluated at into its metadata (what `botsdk export --temperature` does)."""
    import onnx

    from botsdk.export.metadata import KEY_SAMPLING_TEMPERATURE

    model = onnx.load(str(path))
    kept = [p for p in model.metadata_props if p.key != KEY_SAMPLING_TEMPERATURE]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    model.metadata_props.add(key=KEY_SAMPLING_TEMPERATURE, value=repr(float(temperature)))
    onnx.save(model, str(path))
    return path
