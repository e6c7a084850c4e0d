"""The bridge benchmark's hand-written peer does the bridge's work: for the same ticks and the same model it decides
the same actions, keeping each agent's recurrent state as the bridge does (so its speed is a fair yardstick)."""

from __future__ import annotations

import numpy as np
from bridge_support import make_model, observations

from botsdk.bench._minimal_bridge import serve_minimal
from botsdk.game_bridge.client import BridgeClient
from botsdk.game_bridge.server import BridgeServer


def test_minimal_server_decides_like_the_bridge(tmp_path):
    model = make_model(tmp_path / "policy.onnx", recurrent=True, seed=9)
    ids = [f"bot_{i}" for i in range(8)]
    minimal, port = serve_minimal(str(model), greedy=True)
    try:
        with BridgeServer(model, port=0, greedy=True) as bridge, BridgeClient(bridge.target) as ours, \
                BridgeClient(f"127.0.0.1:{port}") as theirs, ours.session() as a, theirs.session() as b:
            for step in range(4):
                obs = observations(8, seed=step)
                start = [step == 0 or (step == 2 and i == 3) for i in range(8)]
                np.testing.assert_array_equal(a.step(ids, obs, episode_start=start),
                                              b.step(ids, obs, episode_start=start))
    finally:
        minimal.stop(0)
