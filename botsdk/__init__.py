"""botsdk: record gameplay, train human-like style-conditioned bots, export to ONNX, serve them over gRPC.

Importing botsdk is cheap: heavy modules (torch, numba, onnxruntime, grpc) load only where a command needs them.
"""

__version__ = "0.1.0"

from botsdk.contract import BehaviourContract, ContractError, check_compatible, load_contract  # noqa: E402

__all__ = ["BehaviourContract", "ContractError", "__version__", "check_compatible", "load_contract"]
