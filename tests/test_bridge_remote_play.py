"""The arena as a remote engine: every agent's action comes from a real bridge server, one tick per message."""

from __future__ import annotations

from bridge_support import make_model

from botsdk.game_bridge.remote_play import play_remote
from botsdk.game_bridge.server import BridgeServer


def test_play_remote_runs_a_match_through_the_server(tmp_path):
    model = make_model(tmp_path / "p.onnx")
    with BridgeServer(model, port=0, token="t") as server:
        calls = []
        original = server.policy.runtime.act
        server.policy.runtime.act = lambda *a, **k: calls.append(list(a[0])) or original(*a, **k)
        match = play_remote(server.target, "duel", seed=3, token="t", team_size=1, max_steps=40, personas="rusher")
        assert match.steps == len(calls) > 0
        assert match.steps <= 40
        assert set(match.returns) == {"blue_0", "red_0"}
        assert all(len(keys) <= 2 for keys in calls) and len(calls[0]) == 2  # all live agents in one call
        assert match.model_version == "synthetic-1"
        assert not server.servicer.open_scopes  # the stream closed with the match
