"""The bridge benchmark's second peer: the BotBridge Session an engineer would write in an afternoon with grpcio,
onnxruntime and numpy from the engine guide alone. Same proto, same model file, same work per tick (one model call
for all agents, per-agent recurrent state, sampling at the model's per-head temperatures), none of botsdk's checks,
limits, auth or per-agent errors. It answers only Session."""

from __future__ import annotations

import json
from concurrent import futures

import grpc
import numpy as np
import onnxruntime as ort

from botsdk.game_bridge._generated import bridge_pb2 as pb
from botsdk.game_bridge._generated import bridge_pb2_grpc as pb_grpc


class MinimalBridge(pb_grpc.BotBridgeServicer):
    def __init__(self, model_path: str, seed: int = 0, greedy: bool = False):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        contract = json.loads(meta["botsdk.contract"])
        self.heads = [head["name"] for head in contract["actions"]]
        self.outputs = [f"logits_{name}" for name in self.heads] + ["state_out"]
        self.style_size = contract["style"]["size"]
        self.state_size = int(meta["botsdk.state_size"])
        default = float(meta.get("botsdk.sampling_temperature", 1.0))
        overrides = json.loads(meta.get("botsdk.head_temperatures", "{}"))
        self.temperatures = [float(overrides.get(name, default)) for name in self.heads]
        self.greedy = greedy
        self.rng = np.random.default_rng(seed)
        # a policy that reads the action it took last step gets it fed back, per agent
        self.reads_previous = any(i.name == "previous_action" for i in self.session.get_inputs())

    def Session(self, request_iterator, context):
        states: dict[str, np.ndarray] = {}  # this stream's agents
        previous: dict[str, np.ndarray] = {}
        zero_state = np.zeros(self.state_size, np.float32)
        no_action = np.full(len(self.heads), -1, np.int64)
        for tick in request_iterator:
            batch = tick.batch
            ids = list(batch.agent_ids)
            n = len(ids)
            for agent in batch.ended:
                states.pop(agent, None)
                previous.pop(agent, None)
            obs = np.frombuffer(batch.observations.raw, np.float32).reshape(n, -1)
            starts = list(batch.episode_start) or [False] * n
            state = np.stack([zero_state if start else states.get(agent, zero_state)
                              for agent, start in zip(ids, starts)])
            feeds = {"obs": obs, "style": np.zeros((n, self.style_size), np.float32), "state_in": state}
            if self.reads_previous:
                feeds["previous_action"] = np.stack([no_action if start else previous.get(agent, no_action)
                                                     for agent, start in zip(ids, starts)])
            *logits, state_out = self.session.run(self.outputs, feeds)
            for agent, row in zip(ids, state_out):
                states[agent] = row
            actions = np.stack([self._sample(head, t) for head, t in zip(logits, self.temperatures)], axis=1)
            if self.reads_previous:
                for agent, row in zip(ids, actions):
                    previous[agent] = row
            yield pb.TickActions(tick=tick.tick, actions=pb.Actions(actions=actions.ravel().tolist(),
                                                                    shape=[n, len(self.heads)]))

    def _sample(self, logits: np.ndarray, temperature: float) -> np.ndarray:
        if self.greedy:
            return logits.argmax(axis=1)
        uniform = np.maximum(self.rng.random(logits.shape, dtype=np.float32), np.finfo(np.float32).tiny)  # no log(0)
        gumbel = -np.log(-np.log(uniform))
        return (logits / temperature + gumbel).argmax(axis=1)


def serve_minimal(model_path: str, port: int = 0, greedy: bool = False, workers: int = 32) -> tuple[grpc.Server, int]:
    """Start the minimal server on 127.0.0.1; returns the server and its port."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers),
                         options=[("grpc.max_receive_message_length", 64 << 20), ("grpc.so_reuseport", 0)])
    pb_grpc.add_BotBridgeServicer_to_server(MinimalBridge(model_path, greedy=greedy), server)
    port = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, port
