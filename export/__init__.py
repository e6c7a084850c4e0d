"""ONNX export (torch, export time only) and the torch-free runtime (onnxruntime only)."""
