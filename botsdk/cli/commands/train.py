from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.errors import Interrupted, fail, print_json, require_writable_dir


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        data: Path = typer.Option(..., "--data", help="A dataset directory recorded by `botsdk record`."),
        out: Path = typer.Option(..., "--out", help="The run directory (checkpoint.pt, config.toml, tb/, metrics.json)."),
        config: Optional[Path] = typer.Option(None, "--config", help="A TOML file of TrainConfig keys."),
        resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoint.pt if it exists."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run already in OUT."),
        max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Override the config's max_steps."),
        seed: Optional[int] = typer.Option(None, "--seed", help="Override the config's seed."),
        no_progress: bool = typer.Option(False, "--quiet", "--no-progress", help="No progress bar."),
        as_json: bool = typer.Option(False, "--json", help="Print the run's metrics as one JSON object."),
    ) -> None:
        """Train a style-conditioned policy by behaviour cloning.

        Trains the policy and its style encoder from a dataset; the same command runs under torchrun."""
        if not data.is_dir():
            fail(f"--data: expected a dataset directory, got {str(data)!r} (not a directory)")
        if config is not None and not config.is_file():
            fail(f"--config: expected a TOML file, got {str(config)!r} (no such file)")
        _check_out(out, resume, overwrite)
        from botsdk.contract import IncompatibleContractError
        from botsdk.training.api import TrainingInputError, load_config, train_run
        from botsdk.training.config import ConfigError

        try:
            cfg = load_config(config, max_steps=max_steps, seed=seed, progress=False if no_progress else None)
        except (ConfigError, TypeError) as exc:
            fail(f"--config {config}: {exc}")
        try:
            metrics = train_run(data, out, cfg, resume=resume)
        except KeyboardInterrupt:
            raise Interrupted(_interrupted(data, out, cfg.max_steps)) from None
        except IncompatibleContractError as exc:
            fail(f"dataset {data} refused before training: {exc}")
        except (TrainingInputError, FileNotFoundError) as exc:
            fail(str(exc))
        if as_json:
            print_json(metrics)
        else:
            typer.echo(f"trained {metrics['step']} steps -> {out} (best val bc loss "
                       f"{_rounded(metrics['best_val_bc_loss'], 4)}, "
                       f"{_rounded(metrics['train_samples_per_s'], 0)} samples/s)")


def _rounded(value, digits: int) -> str:
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


RUN_FILES = ("checkpoint.pt", "metrics.json", "config.toml")


def _check_out(out: Path, resume: bool, overwrite: bool) -> None:
    """A folder holding a run is continued (--resume) or replaced (--overwrite), never silently overwritten."""
    if resume and overwrite:
        fail("--resume and --overwrite: expected one of them, got both")
    require_writable_dir(out, "--out")
    if not (out / "checkpoint.pt").exists() or resume:
        return
    if not overwrite:
        fail(f"--out {out}: holds a trained run (checkpoint.pt); pass --resume to continue it or --overwrite to "
             "replace it")
    import shutil

    for name in RUN_FILES:
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "tb", ignore_errors=True)


def _interrupted(data: Path, out: Path, max_steps: int) -> str:
    checkpoint = out / "checkpoint.pt"
    if not checkpoint.exists():
        return f"interrupted before the first checkpoint: nothing saved in {out}; run the same command again"
    from botsdk.training.checkpoint import read_checkpoint

    step = read_checkpoint(checkpoint)["step"]
    return (f"interrupted: {checkpoint} keeps step {step} of {max_steps} (saved at the last evaluation); continue "
            f"with `botsdk train --data {data} --out {out} --resume`")
