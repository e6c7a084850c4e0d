"""Recorded gameplay datasets: Minari-compatible on disk, crash-safe to write, fast to stream. Never imports torch.

    writer = DatasetWriter(root, contract); writer.add_episode(trajectory, meta)
    ds = Dataset.open(root); BatchLoader(ds, 256); WindowLoader(ds, 32, 16)
"""

from training.data.catalog import DatasetError, EpisodeInfo
from training.data.dataset import Dataset, read_contract_from_dataset
from training.data.episode_file import CorruptEpisodeError
from training.data.loaders import BatchLoader, WindowLoader
from training.data.writer import DatasetWriter, repair

__all__ = ["BatchLoader", "CorruptEpisodeError", "Dataset", "DatasetError", "DatasetWriter", "EpisodeInfo",
           "WindowLoader", "read_contract_from_dataset", "repair"]
