"""The default playtest budget (no imports: the CLI reads it at start-up).

Chosen with `botsdk.playtest.validate` on the arena maps: at this budget every seeded defect of the QA map is found
and the clean maps give no findings, and a whole run of the QA map
stays well under a minute on 2 cores."""

DEFAULT_PERSONAS = ("explorer", "objective", "rusher")
DEFAULT_EPISODES = 8  # per persona
DEFAULT_MAX_STEPS = 1200  # 75 s of game time at 16 Hz
DEFAULT_WORKERS = 2
