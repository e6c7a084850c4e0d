"""The bridge's .proto files (botsdk/bridge/v1/bridge.proto), shipped in the wheel as package data."""
