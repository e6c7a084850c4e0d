"""The gRPC bridge between a game engine and botsdk bots."""
