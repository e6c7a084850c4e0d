"""Rollouts on a Ray cluster: each episode or match is one Ray task keyed by its seed.

`--cluster ADDRESS` on `record`, `playtest` and `evaluate` accepts `local` (start a Ray instance here), `auto`
(join the cluster this machine belongs to, as `ray start` set up) or `ray://host:port` (Ray Client). Tasks only
compute: results travel back to the driver, which commits them, so a worker lost mid-task leaves nothing half
written and Ray replays its task elsewhere. Ray is optional (`pip install 'botsdk[cluster]'`) and imported only
when a cluster is used. No other botsdk module is imported here: any layer above may hand its work to Ray.
"""

from botsdk.cluster.address import ClusterError, check_address
from botsdk.cluster.tasks import TaskBatch, TaskOutcome, cluster_session, run_tasks, submit_tasks

__all__ = ["ClusterError", "TaskBatch", "TaskOutcome", "check_address", "cluster_session", "run_tasks",
           "submit_tasks"]
