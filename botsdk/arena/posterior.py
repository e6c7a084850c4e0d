"""What an onlooker can know of a scripted player: a Bayes filter over its hidden state, from what it was seen to do.

A demonstrator's `last_probs` are its action distribution given everything it knows, its private draws included
(which of its persona's players it is, which unexplored spot it set off for, whether it has noticed an enemy yet),
so their mean max probability, the *oracle ceiling*, credits a predictor with knowing those draws. No imitator sees
them. The best any predictor can do is to predict from the posterior over them given the history so far (the
observations and the actions taken). `PlayerPosterior` tracks that posterior with the player's own model:
particles are copies of its state, each step's ways are enumerated as the player itself enumerates them
(choices.py) and weighted by the action actually taken, ways that leave the same state merge, and the least likely
particles beyond `max_particles` are dropped. The player's own probability of the posterior's most likely action,
averaged over steps, is the *observer ceiling*: the top-1 agreement of the best possible imitator. It is at most the
oracle ceiling at every step (no action is likelier than the most likely one) and equals it where nothing is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from botsdk.arena.choices import mixture
from botsdk.arena.demonstrators import ScriptedController, make_demonstrator
from botsdk.arena.view import AgentView


@dataclass
class Particle:
    engine: int             # which player hypothesis (index into PlayerPosterior.engines)
    state: tuple | None     # the engine's saved state; None: the engine as reset (before the first step)
    weight: float           # posterior weight (after the step's action)
    prior: float = 0.0      # weight before the action was seen (the fallback when no particle explains it)


@dataclass
class Prediction:
    """The predictive distribution of one step, before its action is seen."""

    probs: list[np.ndarray]  # per head
    joint: np.ndarray        # over the heads jointly (float[n_0, n_1, ...])
    paths: int               # how many (hidden state, way) pairs it mixed

    def best_action(self) -> tuple[int, ...]:
        """The most likely joint action: the best possible imitator's top-1 prediction."""
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(self.joint)), self.joint.shape))


class PlayerPosterior:
    """Posterior over one scripted player's hidden state. `players`: the (player id, skill) hypotheses, equally
    likely a priori (e.g. every player of a persona in the training data)."""

    def __init__(self, style: str, agent_id: str, players: Sequence[tuple[str, float]],
                 max_particles: int = 32, seed: int = 0) -> None:
        if not players:
            raise ValueError("players: expected at least one (player id, skill) hypothesis, got none")
        self.engines: list[ScriptedController] = []
        for player_id, skill in players:
            engine = make_demonstrator(style, seed, skill=skill, player_id=player_id)
            engine.reset(agent_id, seed)
            self.engines.append(engine)
        self.particles = [Particle(i, None, 1.0 / len(players)) for i in range(len(players))]
        self.max_particles = max_particles
        self.unexplained_steps = 0  # steps whose action no kept particle could have taken (weights left unconditioned)

    def step(self, observation: np.ndarray, view: AgentView, action: Sequence[int]) -> Prediction:
        """Predict this step from the history so far, then condition on the action the player took."""
        paths: list[tuple[float, list[np.ndarray]]] = []
        successors: dict[tuple, Particle] = {}
        for particle in self.particles:
            engine = self.engines[particle.engine]
            if particle.state is not None:
                engine._restore(particle.state)
            engine.observe(view)
            for way in engine.ways(observation, view):
                prior = particle.weight * way.weight
                paths.append((prior, way.probs))
                after = way.after if way.after is not None else engine._save()
                likelihood = float(np.prod([p[a] for p, a in zip(way.probs, action)]))
                key = (particle.engine, engine.state_key(after))
                found = successors.get(key)
                if found is None:
                    successors[key] = Particle(particle.engine, after, prior * likelihood, prior)
                else:
                    found.weight += prior * likelihood
                    found.prior += prior
        probs, joint = mixture(paths)
        self.particles = self._keep(list(successors.values()))
        return Prediction(probs, joint, len(paths))

    def _keep(self, candidates: list[Particle]) -> list[Particle]:
        if sum(c.weight for c in candidates) <= 0.0:
            self.unexplained_steps += 1
            for c in candidates:
                c.weight = c.prior
        kept = sorted(candidates, key=lambda c: -c.weight)[: self.max_particles]
        total = sum(c.weight for c in kept)
        return [Particle(c.engine, c.state, c.weight / total) for c in kept]


class ObservedPlayer:
    """A scripted player that plays exactly as it would alone, watched by a `PlayerPosterior`: for each step it
    keeps what the best possible imitator would score, the player's own probability of the posterior's most likely
    action (jointly in `observer_joint`, per head in `observer_heads`). Their means are the observer ceiling."""

    def __init__(self, player: ScriptedController, hypotheses: Sequence[tuple[str, float]],
                 max_particles: int = 32) -> None:
        if not player.report_probs:
            raise ValueError("player: expected one that reports its probabilities (report_probs=True)")
        self.player = player
        self.hypotheses = list(hypotheses)
        self.max_particles = max_particles
        self.posterior: PlayerPosterior | None = None
        self.observer_joint: list[float] = []
        self.observer_heads: list[list[float]] = []

    def __getattr__(self, name: str):  # style, player_id, skill, source, last_probs, ... are the player's
        return getattr(self.__dict__["player"], name)

    def reset(self, agent_id: str, seed: int) -> None:
        self.player.reset(agent_id, seed)
        self.posterior = PlayerPosterior(self.player.style, agent_id, self.hypotheses, self.max_particles)
        self.observer_joint, self.observer_heads = [], []

    def act(self, observation: np.ndarray, view: AgentView) -> np.ndarray:
        action = self.player.act(observation, view)
        assert self.posterior is not None, "reset() before act()"
        predicted = self.posterior.step(observation, view, action)
        self.observer_joint.append(float(self.player.last_joint[predicted.best_action()]))
        self.observer_heads.append([float(p[int(np.argmax(q))]) for p, q in zip(self.player.last_probs,
                                                                                  predicted.probs)])
        return action
