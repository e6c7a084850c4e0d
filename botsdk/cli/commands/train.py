from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.errors import fail, print_json


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        data: Path = typer.Option(..., "--data", help="A dataset directory recorded by `botsdk record`."),
        out: Path = typer.Option(..., "--out", help="The run directory (checkpoint.pt, config.toml, tb/, metrics.json)."),
        config: Optional[Path] = typer.Option(None, "--config", help="A TOML file of TrainConfig keys."),
        resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoint.pt if it exists."),
        max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Override the config's max_steps."),
        seed: Optional[int] = typer.Option(None, "--seed", help="Override the config's seed."),
        no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
        as_json: bool = typer.Option(False, "--json", help="Print the run's metrics as one JSON object."),
    ) -> None:
        """Train a style-conditioned policy by behaviour cloning.

        Trains the policy and its style encoder from a dataset; the same command runs under torchrun."""
        if not data.is_dir():
            fail(f"--data: expected a dataset directory, got {str(data)!r} (not a directory)")
        if config is not None and not config.is_file():
            fail(f"--config: expected a TOML file, got {str(config)!r} (no such file)")
        from botsdk.contract import IncompatibleContractError
        from botsdk.training.api import TrainingInputError, load_config, train_run
        from botsdk.training.config import ConfigError

        try:
            cfg = load_config(config, max_steps=max_steps, seed=seed, progress=False if no_progress else None)
        except (ConfigError, TypeError) as exc:
            fail(f"--config {config}: {exc}")
        try:
            metrics = train_run(data, out, cfg, resume=resume)
        except IncompatibleContractError as exc:
            fail(f"dataset {data} refused before training: {exc}")
        except (TrainingInputError, FileNotFoundError) as exc:
            fail(str(exc))
        if as_json:
            print_json(metrics)
        else:
            typer.echo(f"trained {metrics['step']} steps -> {out} (best val bc loss {metrics['best_val_bc_loss']}, "
                       f"{metrics['train_samples_per_s']} samples/s)")
