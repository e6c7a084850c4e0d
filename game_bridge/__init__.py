"""The gRPC bridge between a game engine and botsdk bots (never imports torch).

    server = BridgeServer("model.onnx", port=50051, token=...).start()     # botsdk.game_bridge.server
    client = BridgeClient("127.0.0.1:50051", token=...)                     # botsdk.game_bridge.client
    with client.session() as s: actions = s.step(agent_ids, obs, episode_start=...)

The wire format is proto/botsdk/bridge/v1/bridge.proto; stubs are committed in game_bridge/_generated/.
Submodules are imported on use so `import game_bridge` stays cheap.
"""
