"""Adapters turn the outside world (files, the Hugging Face Hub, PyTorch models) into core types.

Heavy libraries are imported inside functions, so importing this package stays cheap.
"""
