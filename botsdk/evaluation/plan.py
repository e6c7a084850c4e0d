"""What an evaluation plays. Matches mirror how the demonstrations were recorded: persona per agent slot rotates
with the match (slot j of match m plays personas[(m + j) % P]), so no style is tied to a spawn point, and the
policy is asked to play each slot's persona in exactly the lineup the demonstrators played. Groups:
demonstrators and policy on the same held-out seeds, a second demonstrator sample on other held-out seeds (the
floor), the robotic bot, 50/50 blends, and styles inferred from a demonstrator identity the data never had."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from botsdk.evaluation.features import Episode
from botsdk.evaluation.rollouts import Recorder

ROBOTIC = "robotic"
UNSEEN_MATCHES = 2   # "a few episodes" of the unseen demonstrator per persona


@dataclass(frozen=True)
class EvalPlan:
    personas: tuple[str, ...]
    seeds: tuple[int, ...]          # held-out seeds: demonstrators, policy and robotic bot (seed-matched)
    floor_seeds: tuple[int, ...]    # a second demonstrator sample, for the demonstrator-vs-demonstrator floor
    players: dict[str, list[tuple[str, float]]]   # persona -> (identity, skill) seen in the data
    blends: tuple[tuple[str, str], ...]
    unseen_players: dict[str, str]  # persona -> an identity the data never had
    unseen_seeds: tuple[int, ...] = ()   # the matches that identity plays to show its style

    def lineup(self, match: int, slots: int) -> list[str]:
        return [self.personas[(match + j) % len(self.personas)] for j in range(slots)]

    @property
    def matches(self) -> int:
        n, half = len(self.seeds), max(1, len(self.seeds) // 2)
        return 3 * n + len(self.floor_seeds) + len(self.blends) * half + len(self.unseen_seeds) + half


def make_plan(dataset: Any, personas: Sequence[str], matches: int, seed: int) -> EvalPlan:
    """Seeds the data never used, the data's demonstrator identities, and an unseen identity per persona."""
    used = {int(e.seed) for e in dataset.episodes}
    rng = np.random.default_rng(seed)
    fresh: list[int] = []
    while len(fresh) < 2 * matches + UNSEEN_MATCHES:
        s = int(rng.integers(1_000_000, 2**31 - 1))
        if s not in used and s not in fresh:
            fresh.append(s)
    players = {}
    for p in personas:
        seen = sorted({(e.player_id, float(e.skill)) for e in dataset.episodes if e.style == p})
        players[p] = seen or [(f"{p}-0", 0.7)]
    unseen = {p: next(f"{p}-unseen-{k}" for k in range(99) if f"{p}-unseen-{k}" not in {i for i, _ in players[p]})
              for p in personas}
    pairs = tuple((personas[i], personas[i + 1]) for i in range(0, len(personas) - 1, 2))
    return EvalPlan(tuple(personas), tuple(fresh[:matches]), tuple(fresh[matches:2 * matches]), players, pairs, unseen,
                    tuple(fresh[2 * matches:]))


@dataclass
class Rollouts:
    demo: dict[str, list[Episode]] = field(default_factory=dict)
    floor: dict[str, list[Episode]] = field(default_factory=dict)
    policy: dict[str, list[Episode]] = field(default_factory=dict)
    robotic: list[Episode] = field(default_factory=list)
    blends: dict[str, list[Episode]] = field(default_factory=dict)
    fewshot: dict[str, list[Episode]] = field(default_factory=dict)
    fewshot_style: dict[str, list[float]] = field(default_factory=dict)

    def everything(self) -> list[Episode]:
        groups = [*self.demo.values(), *self.floor.values(), *self.policy.values(), self.robotic,
                  *self.blends.values(), *self.fewshot.values()]
        return [e for g in groups for e in g]


SlotMaker = Callable[[str, int, int, int], Any]   # (persona, slot, match, seed) -> Controller


def _by_style(episodes: list[Episode], personas: Sequence[str]) -> dict[str, list[Episode]]:
    return {p: [e for e in episodes if e.meta.get("style") == p] for p in personas}


def demonstrator_for(plan: EvalPlan, persona: str, slot: int, match: int, seed: int, player: str | None = None) -> Any:
    """The demonstrator of a slot: the data's identities in rotation (or `player`), seeded by match seed and slot."""
    from botsdk.arena.demonstrators import make_demonstrator

    known = plan.players[persona]
    pid, skill = known[(match // len(plan.personas)) % len(known)]
    return make_demonstrator(persona, seed=seed * 10 + slot, skill=skill, player_id=player or pid)


class LineupPlayer:
    """Plays the plan's lineups through one recorder, labelling each episode with its slot's persona."""

    def __init__(self, plan: EvalPlan, recorder: Recorder, tick: Callable[[str], None]) -> None:
        self.plan, self.recorder, self.tick = plan, recorder, tick
        self.ids = recorder.setup.agent_ids()
        from botsdk.arena.demonstrators import make_demonstrator

        self.make_demo = make_demonstrator

    def play(self, label: str, seeds: Sequence[int], slot: SlotMaker, keep_obs: bool = False,
             label_slots: bool = True) -> list[Episode]:
        episodes = []
        for m, s in enumerate(seeds):
            recorded = self.recorder.record(s, self.team(m, s, slot), keep_observations=keep_obs)
            episodes += self.label(recorded, m, label_slots)
            self.tick(label)
        return episodes

    def team(self, match: int, seed: int, slot: SlotMaker) -> dict[str, Any]:
        lineup = self.plan.lineup(match, len(self.ids))
        return {a: slot(p, j, match, seed) for j, (a, p) in enumerate(zip(self.ids, lineup))}

    def label(self, recorded: list[Episode], match: int, label_slots: bool = True) -> list[Episode]:
        lineup = self.plan.lineup(match, len(self.ids))
        for e in recorded:   # the m-th match of every group shares a lineup: a Turing split keeps them together
            e.meta["match"] = match
        for e in recorded if label_slots else ():   # the slot's persona, whatever the controller's label
            e.meta["style"] = lineup[self.ids.index(e.meta["agent_id"])]
        return recorded

    def demonstrator(self, persona: str, slot: int, match: int, seed: int, player: str | None = None) -> Any:
        return demonstrator_for(self.plan, persona, slot, match, seed, player)


def play_plan(plan: EvalPlan, recorder: Recorder, runtime: Any, encoder: Any | None,
              tick: Callable[[str], None] = lambda _: None, cluster: str | None = None) -> Rollouts:
    """Every group of the plan, all through the recorder's single path. With `cluster` (a Ray address) the groups
    only demonstrators play run as Ray tasks while the policy's groups play here (botsdk.evaluation.distributed)."""
    if cluster is not None:
        from botsdk.evaluation.distributed import play_plan_on_cluster

        return play_plan_on_cluster(plan, recorder, runtime, encoder, tick, cluster)
    g = LineupPlayer(plan, recorder, tick)
    style = runtime.contract.style
    from botsdk.export.controller import PolicyController

    policy = lambda vectors: (lambda p, j, m, s: PolicyController(runtime, vectors(p), f"policy-{p}-{j}",
                                                                  style_label=p))
    persona_vec = lambda p: np.asarray(style.persona(p), np.float32)
    half = plan.seeds[: max(1, len(plan.seeds) // 2)]
    out = Rollouts()
    out.demo = _by_style(g.play("demonstrators", plan.seeds, g.demonstrator), plan.personas)
    out.floor = _by_style(g.play("demonstrators (floor)", plan.floor_seeds, g.demonstrator), plan.personas)
    out.policy = _by_style(g.play("policy", plan.seeds, policy(persona_vec)), plan.personas)
    make = g.make_demo
    out.robotic = g.play("robotic bot", plan.seeds, lambda p, j, m, s: make(ROBOTIC, seed=s * 10 + j,
                                                                            player_id="robotic-0"), label_slots=False)
    for a, b in plan.blends:
        vec = np.asarray(style.blend({a: 0.5, b: 0.5}), np.float32)
        out.blends[f"{a}+{b}"] = g.play(f"blend {a}+{b}", half, policy(lambda p: vec))
    if encoder is not None:
        shown = _by_style(g.play("unseen demonstrators", plan.unseen_seeds,
                                 lambda p, j, m, s: g.demonstrator(p, j, m, s, plan.unseen_players[p]), True),
                          plan.personas)
        vectors = {p: _encode(encoder, eps) for p, eps in shown.items() if eps}
        out.fewshot_style = {p: [round(float(v), 4) for v in vec] for p, vec in vectors.items()}
        out.fewshot = _by_style(g.play("policy styled by unseen demonstrators", half,
                                       policy(lambda p: vectors.get(p, persona_vec(p)))), plan.personas)
    return out


def _encode(encoder: Any, episodes: list[Episode]) -> np.ndarray:
    obs = np.concatenate([e.observations[:-1] for e in episodes]).astype(np.float32)
    actions = np.concatenate([e.actions for e in episodes])
    return np.asarray(encoder.encode(obs, actions), np.float32).reshape(-1)
