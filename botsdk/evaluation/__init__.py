"""Evaluation: an automated Turing test, action and occupancy distances, style fidelity and behaviour entropy.

Every metric works on `Episode` records built from arena trajectories or dataset episodes, so bots and
demonstrators are measured through one identical path. Torch (the GRU discriminators) is imported lazily.
"""

from botsdk.evaluation.features import Episode, as_episode

__all__ = ["Episode", "as_episode", "evaluate_policy"]


def evaluate_policy(policy_path, data_dir, out_dir, episodes: int | None = None, seed: int = 0, **kwargs) -> dict:
    """Roll a policy out against held-out demonstrators and write report.html + report.json into `out_dir`;
    returns the JSON dict. `episodes`: held-out matches per group (default `runner.DEFAULT_EPISODES`)."""
    from botsdk.evaluation.runner import DEFAULT_EPISODES, evaluate_policy as _evaluate

    return _evaluate(policy_path, data_dir, out_dir, episodes=episodes or DEFAULT_EPISODES, seed=seed, **kwargs)
