"""Evaluation on a Ray cluster: the matches only demonstrators play (the demonstrator sample, the floor, the robotic
bot, the unseen identities) run as Ray tasks, one per match, while the policy's matches play in this process.

Why that split: demonstrators are seeded per slot and match, so a match played anywhere is the same match; the
policy's matches all draw from the one sampler of one runtime, in order, so moving them would change what they
draw. Each group's episodes are put back in match order before any figure is computed, so the report equals the
one-process report for the same seeds.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from botsdk.evaluation.plan import ROBOTIC, EvalPlan, LineupPlayer, Rollouts, _by_style, _encode, demonstrator_for
from botsdk.evaluation.rollouts import MatchSetup, Recorder, play_setup_match

# group name -> (progress label, which seeds, keep observations, label slots with their persona)
DEMONSTRATOR_GROUPS = {
    "demo": ("demonstrators", "seeds", False, True),
    "floor": ("demonstrators (floor)", "floor_seeds", False, True),
    "robotic": ("robotic bot", "seeds", False, False),
    "unseen": ("unseen demonstrators", "unseen_seeds", True, True),
}


def demonstrator_slot(plan: EvalPlan, group: str) -> Callable[[str, int, int, int], Any]:
    """The controller maker of a demonstrator group, exactly as the one-process path builds it."""
    from botsdk.arena.demonstrators import make_demonstrator

    if group == "robotic":
        return lambda p, j, m, s: make_demonstrator(ROBOTIC, seed=s * 10 + j, player_id="robotic-0")

    unseen = group == "unseen"
    return lambda p, j, m, s: demonstrator_for(plan, p, j, m, s, plan.unseen_players[p] if unseen else None)


def play_demonstrator_match(context: tuple[EvalPlan, MatchSetup], job: tuple[str, int, int]) -> dict[str, Any]:
    """The Ray task: one match of a demonstrator group; returns agent -> Trajectory (the driver commits)."""
    plan, setup = context
    group, match, seed = job
    ids = setup.agent_ids()
    lineup = plan.lineup(match, len(ids))
    slot = demonstrator_slot(plan, group)
    return play_setup_match(setup, seed, {a: slot(p, j, match, seed) for j, (a, p) in enumerate(zip(ids, lineup))})


def play_plan_on_cluster(plan: EvalPlan, recorder: Recorder, runtime: Any, encoder: Any | None,
                         tick: Callable[[str], None], cluster: str) -> Rollouts:
    from botsdk.cluster import ClusterError, cluster_session, submit_tasks
    from botsdk.export.controller import PolicyController

    groups = [g for g in DEMONSTRATOR_GROUPS if g != "unseen" or encoder is not None]
    jobs = [(g, m, s) for g in groups for m, s in enumerate(getattr(plan, DEMONSTRATOR_GROUPS[g][1]))]
    g = LineupPlayer(plan, recorder, tick)
    style = runtime.contract.style
    policy = lambda vectors: (lambda p, j, m, s: PolicyController(runtime, vectors(p), f"policy-{p}-{j}",
                                                                  style_label=p))
    persona_vec = lambda p: np.asarray(style.persona(p), np.float32)
    half = plan.seeds[: max(1, len(plan.seeds) // 2)]
    out = Rollouts()
    with cluster_session(cluster):
        batch = submit_tasks(play_demonstrator_match, jobs, shared=(plan, recorder.setup))
        out.policy = _by_style(g.play("policy", plan.seeds, policy(persona_vec)), plan.personas)
        for a, b in plan.blends:
            vec = np.asarray(style.blend({a: 0.5, b: 0.5}), np.float32)
            out.blends[f"{a}+{b}"] = g.play(f"blend {a}+{b}", half, policy(lambda p: vec))
        played: dict[str, list] = {name: [] for name in groups}
        for outcome in batch.in_order():
            name, match, seed = jobs[outcome.index]
            if outcome.error is not None:
                raise ClusterError(f"{DEMONSTRATOR_GROUPS[name][0]} match {match} (seed {seed}): {outcome.error}")
            label, _, keep_obs, label_slots = DEMONSTRATOR_GROUPS[name]
            played[name] += g.label(recorder.commit(outcome.value, keep_obs), match, label_slots)
            tick(label)
    out.demo, out.floor = _by_style(played["demo"], plan.personas), _by_style(played["floor"], plan.personas)
    out.robotic = played["robotic"]
    if encoder is not None:
        shown = _by_style(played["unseen"], plan.personas)
        vectors = {p: _encode(encoder, eps) for p, eps in shown.items() if eps}
        out.fewshot_style = {p: [round(float(v), 4) for v in vec] for p, vec in vectors.items()}
        out.fewshot = _by_style(g.play("policy styled by unseen demonstrators", half,
                                       policy(lambda p: vectors.get(p, persona_vec(p)))), plan.personas)
    return out
