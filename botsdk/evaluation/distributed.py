"""Evaluation on a Ray cluster: the matches only scripted demonstrators play (the generated reference, the power
panel, the robotic bot) run as Ray tasks, one per match, while the policy's matches play in this process.

Why that split: a demonstrator is seeded by its own spec, so its match plays the same anywhere; the policy's
matches all draw from the one sampler of one runtime, in order, so moving them would change what they draw. The
recorder commits every group's matches in match order, so the report equals the one-process report for the same
seeds.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from botsdk.evaluation.rollouts import MatchJob, MatchRunner, MatchSetup, play_here, play_job


@contextmanager
def match_runner(cluster: str | None) -> Iterator[MatchRunner]:
    """`play_here` without a cluster; with one (a Ray address, see botsdk.cluster) Ray for the block's length."""
    if cluster is None:
        yield play_here
        return
    from botsdk.cluster import cluster_session

    with cluster_session(cluster):
        yield play_on_ray


def play_on_ray(setup: MatchSetup, jobs: Sequence[MatchJob]) -> Iterator[dict[str, Any]]:
    """Submit every job now; the returned iterator yields each match's trajectories in job order."""
    from botsdk.cluster import submit_tasks

    return _in_job_order(submit_tasks(play_job, list(jobs), shared=setup), jobs)


def _in_job_order(batch: Any, jobs: Sequence[MatchJob]) -> Iterator[dict[str, Any]]:
    from botsdk.cluster import ClusterError

    for outcome in batch.ordered():
        if outcome.error is not None:
            raise ClusterError(f"demonstrators' match (seed {jobs[outcome.index][0]}): {outcome.error}")
        yield outcome.value
