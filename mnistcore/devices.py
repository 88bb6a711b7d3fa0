"""Which device to compute on, and how to name it for a person."""

import os

import torch


def available() -> list[str]:
    """Device kinds this machine can use, best first."""
    kinds = []
    if torch.cuda.is_available():
        kinds.append("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        kinds.append("mps")
    return kinds + ["cpu"]


def pick(preference: str = "auto") -> torch.device:
    """The device for `preference` ("auto", "cuda", "mps" or "cpu"); "auto" takes the best."""
    kinds = available()
    if preference == "auto":
        return torch.device(kinds[0])
    if preference not in kinds:
        raise ValueError(f"device {preference!r} is not available here; choose one of {kinds}")
    return torch.device(preference)


def describe(device: torch.device | str) -> str:
    """A short name for `device`, with the GPU's model when there is one."""
    device = torch.device(device)
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return f"CUDA GPU: {props.name} ({props.total_memory / 2**30:.0f} GiB)"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({os.cpu_count()} cores)"
