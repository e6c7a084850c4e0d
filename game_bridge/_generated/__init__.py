"""Stubs generated from proto/botsdk/bridge/v1/bridge.proto by botsdk.game_bridge.codegen; do not edit."""
