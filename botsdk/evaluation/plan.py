"""What an evaluation plays. Every candidate group replays the reference others' matches (same seeds, same lineup
of personas per slot), so each is compared with the people exactly as the floor sample is:

    policy      the model, asked for each slot's persona
    panel       the scripted demonstrators of those very slots (same player, skill and seed) with one human motor
                trait switched off, or all of them: the power panel, which a working Turing test must catch
    robotic     the robotic bot
    blends      the model on 50/50 blends of two personas (style fidelity)
    fewshot     the model styled by a few episodes of one reference player, one trial per slot

The groups only demonstrators play (panel, robotic) are handed to the recorder's match runner before the policy
plays, so on a cluster they run meanwhile; each group's episodes still come back, and are committed, in match order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from botsdk.arena.motor import HUMAN_TRAITS
from botsdk.evaluation.features import CueLayout, Episode
from botsdk.evaluation.reference import FOLDS, OTHERS_TEST, OTHERS_TRAIN, Reference, ReferenceMatch
from botsdk.evaluation.rollouts import DemonstratorSpec, Recorder

ROBOTIC = "robotic"
PANEL: dict[str, tuple[str, ...]] = {
    "no reaction delay": ("reaction_delay",),
    "no overshoot": ("overshoot",),
    "no tracking noise": ("tracking_noise",),
    "no mistakes": ("mistakes",),
    "no motor traits": HUMAN_TRAITS,
}
SINGLE_TRAIT_PANEL = tuple(name for name, traits in PANEL.items() if len(traits) == 1)
FEWSHOT_DEMOS = 2      # episodes of one player that show the model a style
FEWSHOT_TRIALS = 40    # at least this many few-shot trials (one per agent slot)


@dataclass
class Rollouts:
    """Every group's episodes. `demo` and `floor` are the reference people and others, by style."""

    demo: dict[str, list[Episode]] = field(default_factory=dict)
    floor: dict[str, list[Episode]] = field(default_factory=dict)
    policy: dict[str, list[Episode]] = field(default_factory=dict)
    robotic: list[Episode] = field(default_factory=list)
    panel: dict[str, list[Episode]] = field(default_factory=dict)
    blends: dict[str, list[Episode]] = field(default_factory=dict)
    fewshot: list[Episode] = field(default_factory=list)   # meta["style"]: the persona of the player shown

    def everything(self) -> list[Episode]:
        groups = [*self.demo.values(), *self.floor.values(), *self.policy.values(), self.robotic,
                  *self.panel.values(), *self.blends.values(), self.fewshot]
        return [e for g in groups for e in g]


SlotMaker = Callable[[ReferenceMatch, str, int], Any]   # (match, agent id, slot index) -> Controller


def by_style(episodes: Sequence[Episode]) -> dict[str, list[Episode]]:
    out: dict[str, list[Episode]] = {}
    for e in episodes:
        out.setdefault(str(e.meta.get("style")), []).append(e)
    return out


@dataclass(frozen=True)
class DemonstratorSlots:
    """A SlotMaker for groups only scripted demonstrators play: it describes each slot's player (a
    DemonstratorSpec) instead of building it, so the recorder's match runner may play the match anywhere."""

    traits_off: tuple[str, ...] = ()
    robotic: bool = False

    def __call__(self, match: ReferenceMatch, agent: str, j: int) -> DemonstratorSpec:
        if self.robotic:
            return DemonstratorSpec(ROBOTIC, match.seed * 10 + j, "robotic-0")
        s = match.slots[agent]
        return DemonstratorSpec(s.style, match.seed * 10 + j, s.player_id, s.skill, tuple(self.traits_off))


class MatchPlayer:
    """Replays reference matches through one recorder, labelling each episode with its slot's persona and fold."""

    def __init__(self, reference: Reference, recorder: Recorder, cues: CueLayout | None,
                 tick: Callable[[str], None]) -> None:
        self.reference, self.recorder, self.cues, self.tick = reference, recorder, cues, tick

    def play(self, label: str, matches: Sequence[ReferenceMatch], slot: SlotMaker) -> list[Episode]:
        return self.start(label, matches, slot)()

    def start(self, label: str, matches: Sequence[ReferenceMatch], slot: SlotMaker) -> Callable[[], list[Episode]]:
        """Begin a group; the returned function finishes it. A DemonstratorSlots group goes to the recorder's match
        runner now (a cluster plays it while this process plays other groups); any other group plays here, match
        by match, when finished."""
        if isinstance(slot, DemonstratorSlots):
            jobs = [(m.seed, {agent: slot(m, agent, j) for j, agent in enumerate(m.slots)}) for m in matches]
            recorded = self.recorder.record_matches(jobs, cues=self.cues)
        else:
            recorded = (self.recorder.record(m.seed, {agent: slot(m, agent, j) for j, agent in enumerate(m.slots)},
                                             cues=self.cues) for m in matches)
        return lambda: self._labelled(label, matches, recorded)

    def _labelled(self, label: str, matches: Sequence[ReferenceMatch], recorded: Iterable[list[Episode]]
                  ) -> list[Episode]:
        episodes = []
        for m, (match, played) in enumerate(zip(matches, recorded)):
            for e in played:
                slot = match.slots[e.meta["agent_id"]]
                e.meta.update(match=m, fold=FOLDS[match.fold], style=slot.style, player=slot.player_id)
                episodes.append(e)
            self.tick(label)
        return episodes

    def demonstrator(self, traits_off: Sequence[str] = ()) -> DemonstratorSlots:
        return DemonstratorSlots(tuple(traits_off))


def play_plan(reference: Reference, recorder: Recorder, runtime: Any, encoder: Any | None, cues: CueLayout | None,
              tick: Callable[[str], None] = lambda _: None, panel: bool = True) -> Rollouts:
    """Every group, all through the recorder's single path."""
    from botsdk.export.controller import PolicyController

    g = MatchPlayer(reference, recorder, cues, tick)
    style = runtime.contract.style
    matches = reference.matches
    policy = lambda vector_of: (lambda m, a, j: PolicyController(runtime, vector_of(m, a), f"policy-{j}",
                                                                 style_label=m.slots[a].style))
    persona_vec = lambda m, a: np.asarray(style.persona(m.slots[a].style), np.float32)
    panel_groups = {name: g.start(f"power panel: {name}", matches, g.demonstrator(traits))
                    for name, traits in (PANEL.items() if panel else ())}
    robotic = g.start("robotic bot", matches, DemonstratorSlots(robotic=True))
    out = Rollouts(demo=by_style(reference.people), floor=by_style(reference.others))
    out.policy = by_style(g.play("policy", matches, policy(persona_vec)))
    out.panel = {name: finish() for name, finish in panel_groups.items()}
    out.robotic = robotic()
    half = matches[: max(1, len(matches) // 2)]
    personas = style.persona_names
    for a, b in zip(personas[0::2], personas[1::2]):
        if a == ROBOTIC or b == ROBOTIC:
            continue
        vec = np.asarray(style.blend({a: 0.5, b: 0.5}), np.float32)
        out.blends[f"{a}+{b}"] = g.play(f"blend {a}+{b}", half, policy(lambda m, s: vec))
    if encoder is not None:
        out.fewshot = _fewshot(g, reference, encoder, policy)
    return out


def _fewshot(g: MatchPlayer, reference: Reference, encoder: Any, policy: Callable) -> list[Episode]:
    """One trial per agent slot: the slot's persona is shown by a few episodes of one reference player of that
    persona (players taken in turn), the model plays the slot styled by the inferred vector."""
    shown_by = _players_by_style(reference.people, reference)
    matches = _enough_matches(reference.matches, FEWSHOT_TRIALS)
    turn: dict[str, int] = {}
    vectors: dict[tuple[int, str], np.ndarray] = {}
    labels: dict[tuple[int, str], str] = {}
    for m, match in enumerate(matches):
        for agent, slot in match.slots.items():
            players = shown_by.get(slot.style)
            if not players:
                continue
            k = turn.get(slot.style, 0)
            turn[slot.style] = k + 1
            player, episodes = players[k % len(players)]
            vectors[(m, agent)] = _encode(encoder, [reference.observations(e) for e in episodes[:FEWSHOT_DEMOS]],
                                          episodes[:FEWSHOT_DEMOS])
            labels[(m, agent)] = player
    order = {id(match): m for m, match in enumerate(matches)}
    vector_of = lambda match, agent: vectors[(order[id(match)], agent)] if (order[id(match)], agent) in vectors \
        else np.zeros(encoder.contract.style.size, np.float32)
    played = g.play("policy styled by a few episodes", matches, policy(vector_of))
    for e in played:
        e.meta["shown_player"] = labels.get((e.meta["match"], e.meta["agent_id"]))
    return [e for e in played if e.meta["shown_player"] is not None]


def _players_by_style(episodes: Sequence[Episode], reference: Reference) -> dict[str, list[tuple[str, list[Episode]]]]:
    players: dict[str, dict[str, list[Episode]]] = {}
    for e in episodes:
        if e.steps > 0:
            players.setdefault(str(e.meta.get("style")), {}).setdefault(str(e.meta.get("player_id")), []).append(e)
    return {s: sorted(p.items()) for s, p in players.items()}


def _enough_matches(matches: Sequence[ReferenceMatch], trials: int) -> list[ReferenceMatch]:
    """Cycle the reference matches (as distinct objects) until there are at least `trials` slots."""
    if not matches:
        return []
    slots = len(matches[0].slots)
    need = -(-trials // max(1, slots))
    return [copy.copy(matches[i % len(matches)]) for i in range(max(need, 1))]


def _encode(encoder: Any, observations: list[np.ndarray], episodes: list[Episode]) -> np.ndarray:
    obs = np.concatenate([o[:-1] for o in observations]).astype(np.float32)
    actions = np.concatenate([e.actions for e in episodes])
    return np.asarray(encoder.encode(obs, actions), np.float32).reshape(-1)
