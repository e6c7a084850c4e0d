"""Stubs generated from proto/botsdk/bridge/v1/bridge.proto by game_bridge.codegen; do not edit."""
