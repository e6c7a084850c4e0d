"""The built-in reference game: a top-down 2D tactical arena."""

from botsdk.arena.contract import arena_contract

__all__ = ["arena_contract"]
