from pathlib import Path
from typing import Optional

import typer

from botsdk.cli.errors import fail, print_json, require_writable_file


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        run: Path = typer.Argument(..., help="A run directory (holding checkpoint.pt) or a checkpoint file."),
        out: Path = typer.Option(..., "--out", "-o", help="The .onnx file to write (style encoder: <stem>.style.onnx)."),
        quantize: Optional[str] = typer.Option(None, "--quantize", help="'int8': also write <stem>.int8.onnx (static "
                                               "int8, calibrated on --data's episodes) beside the untouched float "
                                               "model; refused when a head agrees with the float model < 95%."),
        data: Optional[Path] = typer.Option(None, "--data", help="Dataset whose newest episodes serve as held-out "
                                                                  "observations for the parity check (and the int8 "
                                                                  "calibration and gate)."),
        opset: int = typer.Option(17, "--opset", help="ONNX opset, 15 to 20: 15 for Unity Sentis 1.x, 17 and "
                                                      "newer for ONNX Runtime, Unreal NNE and Unity 6."),
        seed: int = typer.Option(0, "--seed", help="Seed of the held-out inputs."),
        temperature: Optional[float] = typer.Option(None, "--temperature", help="The sampling temperature stored in "
                                                    "the file for every head (default: the ones chosen on the "
                                                    "evaluation's validation split, see --head-temperature); serve, "
                                                    "evaluate and play use it unless told otherwise."),
        head_temperature: Optional[list[str]] = typer.Option(None, "--head-temperature", help="HEAD=T: that head's "
                                                             "own sampling temperature (repeatable; default, without "
                                                             "--temperature: turn=0.9, every other head 1.0)."),
        as_json: bool = typer.Option(False, "--json", help="Print the export report as JSON."),
    ) -> None:
        """Export a trained run to ONNX with its contract inside.

        Refuses, with the reason, when the ONNX checker or the parity check against torch fails."""
        if out.suffix.lower() != ".onnx":
            fail(f"--out: expected a path ending in .onnx, got {str(out)!r}")
        if quantize is not None and quantize != "int8":
            fail(f"--quantize: expected 'int8', got {quantize!r}")
        if quantize is not None and data is None:
            fail("--quantize int8 needs --data DATASET: int8 ranges are calibrated on, and checked against, "
                 "recorded episodes")
        from botsdk.export.metadata import MAX_OPSET, MIN_OPSET

        if not MIN_OPSET <= opset <= MAX_OPSET:
            fail(f"--opset: expected {MIN_OPSET} to {MAX_OPSET}, got {opset}")
        if not run.exists():
            fail(f"run: no such run directory or checkpoint: {run}")
        if temperature is not None and not 0 < temperature < float("inf"):
            fail(f"--temperature: expected a finite number > 0, got {temperature}")
        heads = _head_temperatures(head_temperature or [])
        require_writable_file(out, "--out")
        from botsdk.export.onnx_export import ExportError, export_run

        try:
            report = export_run(run, out, quantize=quantize, dataset=data, seed=seed, temperature=temperature,
                                opset=opset, head_temperatures=heads)
        except ExportError as exc:
            fail(f"export refused: {exc}", code=1)
        except (FileNotFoundError, ValueError) as exc:
            fail(str(exc))
        if as_json:
            print_json(report.to_dict())
            return
        for line in report.checks:
            typer.echo(f"ok: {line}")
        typer.echo(f"wrote {report.path} ({report.size_bytes} bytes)"
                   + (f" and {report.style_path}" if report.style_path else "")
                   + (f" and {report.quantized['path']}" if report.quantized else ""))


def _head_temperatures(items: list[str]) -> dict[str, float] | None:
    """`--head-temperature HEAD=T` options as {head: T}; None when there are none."""
    heads: dict[str, float] = {}
    for item in items:
        name, _, text = item.partition("=")
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not name or not 0 < value < float("inf"):
            fail(f"--head-temperature: expected HEAD=T with T a finite number > 0 (e.g. turn=0.9), got {item!r}")
        heads[name] = value
    return heads or None
