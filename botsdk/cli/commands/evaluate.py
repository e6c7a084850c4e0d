from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.cluster import checked_cluster, cluster_option
from botsdk.cli.errors import fail, fail_naming, print_json, require_writable_dir

HEADLINE = ("turing_auc", "turing_auc_ci", "turing_auc_floor", "turing_auc_robotic", "episode_accuracy",
            "style_accuracy", "style_accuracy_demonstrators", "fewshot_style_accuracy", "fewshot_style_accuracy_ci",
            "emd_ratio")
SPLITS = ("final", "validation")


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        policy: Path = typer.Option(..., "--policy", help="The ONNX policy (its .style.onnx beside it is used too)."),
        data: Path = typer.Option(..., "--data", help="The training dataset: teaches the style classifier the personas."),
        reference: Optional[Path] = typer.Option(
            None, "--reference", help="A dataset of people to compare with (studio, engine or scripted recordings); "
                                      "default: record the scripted demonstrators with unseen players."),
        reference_source: Optional[str] = typer.Option(
            None, "--reference-source", help="Use only the reference episodes of this source (e.g. human)."),
        split: str = typer.Option("final", "--split", help="Without --reference: which unseen players and seeds to "
                                                           "record, 'final' (report) or 'validation' (choose settings)."),
        discriminators: int = typer.Option(1, "--discriminators", help="Discriminators per comparison (seeds), "
                                                                        "taking turns at judging the two halves; "
                                                                        "each AUC is their mean."),
        out: Path = typer.Option(..., "--out", help="Report directory: report.html, report.json, rollouts/."),
        episodes: int = typer.Option(None, "--episodes", help="Held-out matches per group, one episode per agent slot (default 8); 48 lets each "
                                     "reference player play six rounds (16 players a fold)."),
        quick: bool = typer.Option(False, "--quick", help="3 matches per group: a rough figure in under a minute."),
        seed: int = typer.Option(0, "--seed", help="Seeds the held-out matches, the policy's sampling and the GRUs."),
        temperature: Optional[float] = typer.Option(
            None, "--temperature", help="The policy's sampling temperature; default: the one stored in the model."),
        as_json: bool = typer.Option(False, "--json", help="Print the full JSON report on stdout."),
        workers: int = typer.Option(1, "--workers", help="Processes playing the scripted demonstrators' matches "
                                                         "while the policy plays, then training the discriminators "
                                                         "and the style classifier (the report is the same)."),
        cluster: Optional[str] = cluster_option(),
    ) -> None:
        """Score a policy's human-likeness and style fidelity.

        Automated Turing test against people the model never saw (split by player, so no player is both learned
        and tested), with its floor (people against other people) and its power panel (people with one human
        trait removed, and a robotic bot), distances, and style fidelity."""
        from botsdk.evaluation.runner import DEFAULT_EPISODES

        n = episodes if episodes is not None else (3 if quick else DEFAULT_EPISODES)
        if not policy.is_file() or policy.suffix != ".onnx":
            fail(f"--policy: expected an existing .onnx file, received {policy}")
        if not data.is_dir():
            fail(f"--data: expected a dataset directory, received {data}")
        if n < 2:
            fail(f"--episodes: expected at least 2 (train and test seeds), received {n}")
        if temperature is not None and not 0 < temperature < float("inf"):
            fail(f"--temperature: expected a positive number, received {temperature}")
        if reference is not None and not reference.is_dir():
            fail(f"--reference: expected a dataset directory, received {reference}")
        if split not in SPLITS:
            fail(f"--split: expected one of {', '.join(SPLITS)}, received {split!r}")
        if discriminators < 1:
            fail(f"--discriminators: expected at least 1, received {discriminators}")
        if workers < 1:
            fail(f"--workers: expected at least 1, received {workers}")
        require_writable_dir(out, "--out")
        options = dict(temperature=temperature, reference=reference, reference_source=reference_source, split=split,
                       discriminator_seeds=discriminators, cluster=checked_cluster(cluster), workers=workers)
        result = _run(policy, data, out, n, seed, options, show_progress=not as_json)
        if as_json:
            print_json(result)
        else:
            for key in HEADLINE:
                typer.echo(f"{key}: {_readable(result.get(key))}")
            typer.echo(f"report: {out / 'report.html'}")


def _readable(value) -> str:
    """Floats to 3 decimals (also inside a confidence interval); anything else as it is."""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_readable(v) for v in value) + "]"
    return "n/a" if value is None else str(value)


def _run(policy: Path, data: Path, out: Path, episodes: int, seed: int, options: dict, show_progress: bool) -> dict:
    from rich.progress import Progress

    from botsdk.contract import ContractError, IncompatibleContractError
    from botsdk.evaluation.runner import evaluate_policy

    with Progress(disable=not show_progress, transient=True) as progress:
        task = progress.add_task("evaluating", total=None)
        tick = lambda label: progress.update(task, advance=1, description=label)
        try:
            return evaluate_policy(policy, data, out, episodes=episodes, seed=seed, tick=tick, **options)
        except (IncompatibleContractError, ContractError) as exc:
            fail(f"model and data disagree: {exc}")
        except (ValueError, FileNotFoundError) as exc:
            fail_naming(None, exc)
