"""The designer studio (`botsdk play --spectate --policy model.onnx`): watch, blend styles, show a style by playing."""


def run_studio(model_path: str, map_name: str = "crossroads", team_size: int = 2, seed: int = 0,
               record_dir: str | None = None, max_frames: int | None = None) -> None:
    from botsdk.studio.app import Studio

    Studio(model_path, map_name=map_name, team_size=team_size, seed=seed, record_dir=record_dir).run(max_frames)
