import json
from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.errors import fail


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Ray sensor conformance vectors.", no_args_is_help=True)
    app.add_typer(group, name="sensors")

    @group.command("check")
    def check(
        vectors: Path = typer.Argument(..., help="A conformance vector (.json) or a folder of them, e.g. a copy of "
                                                 "botsdk/sensors/conformance."),
        got: Optional[Path] = typer.Option(None, "--got", help="A folder of your engine's outputs, <name>.json each "
                                                               "holding [[floats of agent 0], ...]: checked instead of "
                                                               "botsdk's own sensors."),
    ) -> None:
        """Replay every vector and compare with its expected encoding; writes nothing.

        Exit 0 when all conform, 1 naming each mismatching ray, 2 on a missing or malformed file."""
        paths = _vector_files(vectors)
        failures, rays = [], 0
        for path in paths:
            vector = _read(path)
            problems, count = _check_one(vector, path, got)
            rays += count
            failures += problems
            typer.echo(f"{'ok' if not problems else 'MISMATCH'} {path.name}")
        for line in failures:
            typer.echo(line)
        source = f"the outputs in {got}" if got else "botsdk's sensors"
        if failures:
            typer.echo(f"{len(failures)} of {rays} rays in {len(paths)} vectors differ ({source})")
            raise typer.Exit(1)
        typer.echo(f"all {len(paths)} vectors ({rays} rays) conform ({source})")


def _vector_files(vectors: Path) -> list[Path]:
    if not vectors.exists():
        fail(f"VECTORS: no such file or folder: {vectors}")
    paths = sorted(vectors.glob("*.json")) if vectors.is_dir() else [vectors]
    if not paths:
        fail(f"VECTORS: expected conformance vectors (*.json) in {vectors}, found none")
    return paths


def _read(path: Path) -> dict:
    try:
        vector = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{path}: expected a conformance vector (JSON), could not read it: {exc}")
    keys = ("name", "spec", "scene", "agents", "expected")
    missing = [k for k in keys if not isinstance(vector, dict) or k not in vector]
    if missing:
        fail(f"{path}: expected a conformance vector with name, spec, scene, agents and expected; missing {missing}")
    return vector


def _check_one(vector: dict, path: Path, got_dir: Optional[Path]) -> tuple[list[str], int]:
    import numpy as np

    from botsdk.sensors.conformance import mismatches, replay, spec_from_dict

    try:
        spec = spec_from_dict(vector["spec"])
        rays = len(vector["agents"]) * spec.total_rays
        if got_dir is None:
            output = replay(vector)
        else:
            output = np.asarray(json.loads((got_dir / path.name).read_text(encoding="utf-8")), np.float64)
            if output.size != rays * spec.values_per_ray:
                return [f"{vector['name']}: expected {rays} rays x {spec.values_per_ray} floats, got "
                        f"{output.size} floats"], rays
        return mismatches(vector, output), rays
    except FileNotFoundError as exc:
        fail(f"--got: no output for vector {path.name}: {exc.filename}")
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"{path}: malformed conformance vector: {exc}")
