import typer

from botsdk.cli.errors import ExitCode, fail, print_json, require_writable_dir

SKIP_DAMAGED_HELP = "Leave damaged episodes out (each is reported) instead of refusing the whole operation."


def _report_skip(line: str) -> None:
    typer.echo(line, err=True)


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
        verify: bool = typer.Option(False, "--verify", help="Also read every episode and list damaged ones "
                                                              "(exit 3 if there are any)."),
    ) -> None:
        """Episodes, steps, per-style and per-player counts, and the contract."""
        from botsdk.dataset import Dataset

        ds = Dataset.open(path)
        summary = ds.summary()
        if verify:
            summary["corrupt"] = [{"file": str(e.path), "reason": e.reason} for e in ds.verify()]
        print_json(summary) if as_json else _print_summary(summary)
        if summary.get("corrupt"):
            fail(f"{path}: {len(summary['corrupt'])} damaged episode(s); remove them with "
                 f"`botsdk data repair {path} --drop-damaged`", ExitCode.DAMAGED)

    @data_app.command("split")
    def split(
        path: str = typer.Argument(..., help="Dataset directory."),
        by: str = typer.Option("player", "--by", help="player | seed | style | map: a group never spans both sides."),
        out: str = typer.Option(..., "--out", help="Writes OUT/train and OUT/val."),
        val_fraction: float = typer.Option(0.2, "--val-fraction", help="Share of groups that go to val."),
        seed: int = typer.Option(0, "--seed", help="Seed of the group shuffle."),
        skip_damaged: bool = typer.Option(False, "--skip-damaged", help=SKIP_DAMAGED_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Split into train/val by player or seed, so validation measures generalisation to unseen ones."""
        from botsdk.dataset import Dataset
        from botsdk.dataset.ops import split as do_split

        ds = Dataset.open(path)
        require_writable_dir(out, "--out")
        parts = do_split(ds, by, out, val_fraction, seed, skip_damaged=skip_damaged, on_skip=_report_skip)
        result = {name: {"path": str(ds.root), "episodes": len(ds), "steps": ds.total_steps} for name, ds in parts.items()}
        print_json(result) if as_json else typer.echo(
            ", ".join(f"{k}: {v['episodes']} episodes -> {v['path']}" for k, v in result.items()))

    @data_app.command("merge")
    def merge(
        sources: list[str] = typer.Argument(..., help="Dataset directories to merge."),
        out: str = typer.Option(..., "--out", help="Target dataset (created, or appended to)."),
        skip_damaged: bool = typer.Option(False, "--skip-damaged", help=SKIP_DAMAGED_HELP),
        skip_duplicates: bool = typer.Option(False, "--skip-duplicates", help="Keep one copy of episodes with the "
                                             "same content instead of refusing the merge."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Merge datasets recorded under the same contract (a difference is an error naming the fields)."""
        from botsdk.dataset.ops import merge as do_merge

        require_writable_dir(out, "--out")
        ds = do_merge(sources, out, skip_damaged=skip_damaged, skip_duplicates=skip_duplicates,
                      on_skip=_report_skip)
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
        skip_damaged: bool = typer.Option(False, "--skip-damaged", help=SKIP_DAMAGED_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Keep the episodes matching every given condition."""
        from botsdk.dataset import Dataset
        from botsdk.dataset.ops import export, require_new, select

        source_ds = Dataset.open(path)
        ids = select(source_ds, _split_csv(style), _split_csv(player), _split_csv(source), min_steps, max_steps)
        if not ids:
            fail(f"filter matched 0 of {len(source_ds)} episodes; expected at least 1")
        require_new(out)
        require_writable_dir(out, "--out")
        ds = export(source_ds, ids, out, skip_damaged=skip_damaged, on_skip=_report_skip)
        result = {"path": str(ds.root), "episodes": len(ds), "steps": ds.total_steps}
        print_json(result) if as_json else typer.echo(f"{result['episodes']} episodes -> {result['path']}")

    @data_app.command("repair")
    def repair_(
        path: str = typer.Argument(..., help="Dataset directory."),
        drop_damaged: bool = typer.Option(False, "--drop-damaged", help="Take damaged episodes out of the dataset "
                                                                        "(their files move to data/damaged/)."),
    ) -> None:
        """Bring the index up to date after a crash; drop damaged episodes.

        Relists episodes a crashed recorder committed but never indexed and rebuilds Minari's index. Exit 3 if
        damaged episodes remain (without --drop-damaged)."""
        from botsdk.dataset import Dataset, repair
        from botsdk.dataset.dataset import resolve_root
        from botsdk.dataset.integrity import damaged, drop_damaged as drop

        root = resolve_root(path)
        added = repair(root)
        typer.echo(f"repaired {path}: {len(added)} episode(s) newly listed")
        if drop_damaged:
            for exc in drop(root):
                typer.echo(f"dropped damaged episode {exc.path.name}: {exc.reason}")
            return
        bad = damaged(Dataset.open(root))
        if bad:
            fail(f"{path}: {len(bad)} damaged episode(s) remain, e.g. {next(iter(bad.values())).path.name}; "
                 f"remove them with `botsdk data repair {path} --drop-damaged`", ExitCode.DAMAGED)
