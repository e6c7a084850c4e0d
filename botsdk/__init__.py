"""botsdk: record gameplay, train human-like style-conditioned bots, export to ONNX, serve them over gRPC.

The public API, one name per job (each loads its heavy dependencies only when called):

    import botsdk
    env = botsdk.make_env("crossroads")                        # Gymnasium env of the built-in arena
    ds = botsdk.open_dataset("runs/data")                       # a recorded dataset (Minari-compatible)
    metrics = botsdk.train("runs/data", "runs/run")             # behaviour cloning (needs the train extra)
    botsdk.export_onnx("runs/run", "model.onnx")                # one ONNX file with the contract inside
    bot = botsdk.load_bot("model.onnx", seed=0)                 # torch-free runtime
    actions = bot.act(["blue_0"], obs, bot.style_for("rusher"))  # int64[N, heads]
    contract = botsdk.load_contract("model.onnx")

Everything else lives in the subpackages: `botsdk.sensors`, `botsdk.arena`, `botsdk.dataset`, `botsdk.training`,
`botsdk.export`, `botsdk.game_bridge`, `botsdk.evaluation`, `botsdk.playtest` (see docs/interfaces.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    import gymnasium

    from botsdk.contract import BehaviourContract
    from botsdk.dataset import Dataset
    from botsdk.export.runtime import BotRuntime

_CONTRACT_NAMES = ("BehaviourContract", "ContractError", "check_compatible", "load_contract")

__all__ = [*_CONTRACT_NAMES, "__version__", "export_onnx", "load_bot", "make_env", "open_dataset", "train"]


def make_env(map_name: str = "crossroads", **options: Any) -> "gymnasium.Env":
    """The built-in arena as a Gymnasium env (one learning agent against scripted players); options go to the env."""
    import gymnasium

    import botsdk.arena  # noqa: F401  (registers botsdk/Arena-v0)

    return gymnasium.make("botsdk/Arena-v0", map_name=map_name, **options)


def open_dataset(path: str | Path) -> "Dataset":
    """A recorded dataset: episodes with per-episode metadata; `minari.load_dataset` opens the same folder."""
    from botsdk.dataset import Dataset

    return Dataset.open(path)


def train(data: str | Path, out: str | Path, config: str | Path | None = None, resume: bool = False,
          **overrides: Any) -> dict[str, Any]:
    """Train a style-conditioned policy on a dataset into the run folder `out`; returns the run's metrics.
    `config` is a TOML file; keyword overrides (e.g. `max_steps=2000`) change single fields."""
    from botsdk.training.api import load_config, train_run

    return train_run(data, out, load_config(config, **overrides), resume=resume)


def export_onnx(run: str | Path, out: str | Path, quantize: str | None = None, data: str | Path | None = None,
           ) -> dict[str, Any]:
    """Export a trained run to one ONNX file (contract in its metadata), checked against torch; returns the report."""
    from botsdk.export.onnx_export import export_run

    return export_run(run, out, quantize=quantize, dataset=data)


def load_bot(model: str | Path, seed: int = 0, **options: Any) -> "BotRuntime":
    """The torch-free runtime for an exported model: `act(agent_ids, obs, style)` decides for many agents a call."""
    from botsdk.export.runtime import BotRuntime

    return BotRuntime(model, seed=seed, **options)


def __getattr__(name: str) -> Any:
    if name in _CONTRACT_NAMES:
        import botsdk.contract

        return getattr(botsdk.contract, name)
    raise AttributeError(f"module 'botsdk' has no attribute {name!r}")
