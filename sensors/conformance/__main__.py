"""Write the conformance vectors: `python -m botsdk.sensors.conformance`."""

import json

from botsdk.sensors.conformance import HERE
from botsdk.sensors.conformance.cases import CASES_2D, CASES_3D, expected

for case in CASES_2D + CASES_3D:
    path = HERE / f"{case['name']}.json"
    path.write_text(json.dumps({**case, "expected": expected(case)}, indent=1) + "\n")
    print(path)
