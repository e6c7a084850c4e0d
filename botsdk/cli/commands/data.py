import typer

from botsdk.cli.errors import fail, print_json


def _guard(fn):
    """Turn dataset errors into one-line CLI errors (exit 2) instead of tracebacks."""
    from botsdk.dataset import CorruptEpisodeError, DatasetError
    from botsdk.contract import IncompatibleContractError

    try:
        return fn()
    except (DatasetError, IncompatibleContractError, CorruptEpisodeError, FileNotFoundError) as exc:
        fail(str(exc))


def _split_csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _print_summary(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    c = summary["contract"]
    console.print(f"[bold]{summary['path']}[/] ({summary['dataset_id']}): {summary['episodes']} episodes, "
                  f"{summary['steps']} steps; contract {c['name']} {c['version']} {c['hash'][:19]}…")
    for title, counts in (("style", summary["per_style"]), ("player", summary["per_player"]),
                          ("source", summary["per_source"]), ("map", summary["per_map"])):
        table = Table(title=f"per {title}", show_edge=False)
        table.add_column(title)
        table.add_column("episodes", justify="right")
        if title == "style":
            table.add_column("steps", justify="right")
        for name, n in counts.items():
            row = [name, str(n)] + ([str(summary["steps_per_style"].get(name, 0))] if title == "style" else [])
            table.add_row(*row)
        console.print(table)
    if not summary["minari_consistent"]:
        console.print("[yellow]Minari's index lags the catalog (a recorder crashed); run `botsdk data repair`.[/]")
    for bad in summary.get("corrupt", []):
        console.print(f"[red]corrupt:[/] {bad['file']}: {bad['reason']}")


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="Inspect and manage recorded datasets.", no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("info")
    def info(
        path: str = typer.Argument(..., help="Dataset directory."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        verify: bool = typer.Option(False, "--verify", help="Also open every episode file and list bad ones."),
    ) -> None:
        """Episodes, steps, per-style and per-player counts, and the contract."""
        from botsdk.dataset import Dataset

        def run():
            ds = Dataset.open(path)
            summary = ds.summary()
            if verify:
                summary["corrupt"] = [{"file": str(e.path), "reason": e.reason} for e in ds.verify()]
            return summary

        summary = _guard(run)
        if as_json:
            print_json(summary)
            return
        _print_summary(summary)

    @data_app.command("split")
    def split(
        path: str = typer.Argument(..., help="Dataset directory."),
        by: str = typer.Option("player", "--by", help="player | seed | style | map: a group never spans both sides."),
        out: str = typer.Option(..., "--out", help="Writes OUT/train and OUT/val."),
        val_fraction: float = typer.Option(0.2, "--val-fraction", help="Share of groups that go to val."),
        seed: int = typer.Option(0, "--seed", help="Seed of the group shuffle."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Split into train/val by player or seed, so validation measures generalisation to unseen ones."""
        from botsdk.dataset import Dataset
        from botsdk.dataset.ops import split as do_split

        parts = _guard(lambda: do_split(Dataset.open(path), by, out, val_fraction, seed))
        result = {name: {"path": str(ds.root), "episodes": len(ds), "steps": ds.total_steps} for name, ds in parts.items()}
        print_json(result) if as_json else typer.echo(
            ", ".join(f"{k}: {v['episodes']} episodes -> {v['path']}" for k, v in result.items()))

    @data_app.command("merge")
    def merge(
        sources: list[str] = typer.Argument(..., help="Dataset directories to merge."),
        out: str = typer.Option(..., "--out", help="Target dataset (created, or appended to)."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Merge datasets recorded under the same contract (a difference is an error naming the fields)."""
        from botsdk.dataset.ops import merge as do_merge

        ds = _guard(lambda: do_merge(sources, out))
        result = {"path": str(ds.root), "episodes": len(ds), "steps": ds.total_steps}
        print_json(result) if as_json else typer.echo(f"{result['episodes']} episodes -> {result['path']}")

    @data_app.command("filter")
    def filter_(
        path: str = typer.Argument(..., help="Dataset directory."),
        out: str = typer.Option(..., "--out", help="New dataset with the matching episodes."),
        style: str = typer.Option(None, "--style", help="Comma-separated styles to keep."),
        player: str = typer.Option(None, "--player", help="Comma-separated player ids to keep."),
        source: str = typer.Option(None, "--source", help="Comma-separated sources to keep."),
        min_steps: int = typer.Option(None, "--min-steps", help="Keep episodes with at least this many steps."),
        max_steps: int = typer.Option(None, "--max-steps", help="Keep episodes with at most this many steps."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Keep the episodes matching every given condition."""
        from botsdk.dataset import Dataset
        from botsdk.dataset.ops import export, require_new, select

        def run():
            ds = Dataset.open(path)
            ids = select(ds, _split_csv(style), _split_csv(player), _split_csv(source), min_steps, max_steps)
            if not ids:
                fail(f"filter matched 0 of {len(ds)} episodes; expected at least 1")
            require_new(out)
            return export(ds, ids, out)

        ds = _guard(run)
        result = {"path": str(ds.root), "episodes": len(ds), "steps": ds.total_steps}
        print_json(result) if as_json else typer.echo(f"{result['episodes']} episodes -> {result['path']}")

    @data_app.command("repair")
    def repair_(path: str = typer.Argument(..., help="Dataset directory.")) -> None:
        """List episodes a crashed recorder committed but never indexed, and rebuild Minari's index."""
        from botsdk.dataset import repair
        from botsdk.dataset.dataset import resolve_root

        added = _guard(lambda: repair(resolve_root(path)))
        typer.echo(f"repaired {path}: {len(added)} episode(s) newly listed")
