"""Recorded gameplay datasets: Minari-compatible on disk, crash-safe to write, fast to stream. Never imports torch.

    writer = DatasetWriter(root, contract); writer.add_episode(trajectory, meta)
    ds = Dataset.open(root); BatchLoader(ds, 256); WindowLoader(ds, 32, 16)
    EpisodeStream(ds, ids, buffer_steps): whole episodes in seeded shuffle buffers (training sets larger than memory)
"""

from botsdk.dataset.catalog import DatasetError, EpisodeInfo
from botsdk.dataset.dataset import Dataset, read_contract_from_dataset
from botsdk.dataset.episode_file import CorruptEpisodeError
from botsdk.dataset.loaders import BatchLoader, WindowLoader
from botsdk.dataset.streaming import EpisodeStream
from botsdk.dataset.writer import DatasetWriter, repair

__all__ = ["BatchLoader", "CorruptEpisodeError", "Dataset", "DatasetError", "DatasetWriter", "EpisodeInfo", "EpisodeStream",
           "WindowLoader", "read_contract_from_dataset", "repair"]
