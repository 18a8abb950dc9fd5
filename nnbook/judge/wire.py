"""The wire format between the grader and the sandboxed verdict runner: JSON whose arrays are
referenced by key into an ``.npz`` archive (stored without pickles).

A value is one node: ``{"a": key}`` an array, ``{"t": [...]}`` a tuple, ``{"lo": [...]}`` a list
the student's function returned, ``{"l": [...]}`` a list argument, ``{"s": x}`` a scalar or
string argument, ``{"n": [dtype, x]}`` a numpy scalar argument, ``{"d": [[key, value], ...]}``
keyword arguments, ``{"f": kind, "p": {...}}`` a :class:`~.fields.ScalarField`, ``{"gf": kind,
"lam": x}`` a :class:`~.fields.GradientField`, ``{"tf": kind, "c": classes}`` a
:class:`~.fields.TrainField`, ``{"g": state}`` a ``np.random.Generator`` (PCG64) in the state it
had when sent. Going in (``trusted=False``) every kind is accepted; coming back (``trusted=True``,
in the grader) only arrays of numbers, tuples and returned lists are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .fields import GradientField, ScalarField, TrainField


class ListOutput(tuple):
    """A list that the student's function returned, as plain data: compared like a tuple,
    named "a list" in messages."""


def encode(value: Any, arrays: dict[str, np.ndarray], prefix: str = "") -> dict:
    """The node for ``value``; its arrays are added to ``arrays`` under fresh keys."""
    if type(value) is np.ndarray:
        key = f"{prefix}a{len(arrays)}"
        arrays[key] = value
        return {"a": key}
    if type(value) is ListOutput:
        return {"lo": [encode(v, arrays, prefix) for v in value]}
    if isinstance(value, tuple):
        return {"t": [encode(v, arrays, prefix) for v in value]}
    if isinstance(value, list):
        return {"l": [encode(v, arrays, prefix) for v in value]}
    if value is None or type(value) in (bool, int, float, str):
        return {"s": value}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"n": [value.dtype.str, value.item()]}  # a numpy scalar stays one
    if isinstance(value, np.generic):
        return {"s": value.item()}
    if isinstance(value, ScalarField):
        params = {k: encode(np.asarray(v), arrays, prefix) for k, v in value.params.items()}
        return {"f": value.kind, "p": params}
    if isinstance(value, GradientField):
        return {"gf": value.kind, "lam": float(value.lam)}
    if isinstance(value, TrainField):
        return {"tf": value.kind, "c": int(value.classes)}
    if isinstance(value, np.random.Generator):
        if not isinstance(value.bit_generator, np.random.PCG64):
            raise TypeError("only np.random.Generator with PCG64 (default_rng) can be sent")
        return {"g": value.bit_generator.state}
    raise TypeError(f"cannot send {type(value).__name__} to the sandbox")


def encode_kwargs(kwargs: dict, arrays: dict[str, np.ndarray]) -> dict:
    """The node for keyword arguments."""
    return {"d": [[k, encode(v, arrays)] for k, v in kwargs.items()]}


def decode(obj: Any, arrays: dict[str, np.ndarray], *, trusted: bool) -> Any:
    """Inverse of :func:`encode`; ``trusted`` (the grader's side) accepts only returned values
    and checks every array: exactly ``np.ndarray``, numbers, not structured."""
    if not isinstance(obj, dict) or len(obj) not in (1, 2):
        raise ValueError("malformed value")
    if "a" in obj:
        arr = arrays[str(obj["a"])]
        if trusted and (type(arr) is not np.ndarray or arr.dtype.kind not in "biuf"):
            raise ValueError(f"not a plain numeric array: {type(arr).__name__} {arr.dtype}")
        if trusted and arr.dtype.names is not None:
            raise ValueError("structured arrays are not accepted")
        return arr
    if "t" in obj:
        return tuple(decode(v, arrays, trusted=trusted) for v in obj["t"])
    if "lo" in obj:
        return ListOutput(decode(v, arrays, trusted=trusted) for v in obj["lo"])
    if trusted:
        raise ValueError("malformed value")
    if "l" in obj:
        return [decode(v, arrays, trusted=False) for v in obj["l"]]
    if "s" in obj:
        return obj["s"]
    if "n" in obj:
        dtype, item = obj["n"]
        if np.dtype(str(dtype)).kind not in "biuf":
            raise ValueError("malformed numpy scalar")
        return np.dtype(str(dtype)).type(item)
    if "d" in obj:
        return {str(k): decode(v, arrays, trusted=False) for k, v in obj["d"]}
    if "f" in obj:
        params = {k: decode(v, arrays, trusted=False) for k, v in obj["p"].items()}
        return ScalarField(obj["f"], params)
    if "gf" in obj:
        return GradientField(str(obj["gf"]), float(obj["lam"]))
    if "tf" in obj:
        return TrainField(str(obj["tf"]), int(obj["c"]))
    if "g" in obj:
        bits = np.random.PCG64()
        bits.state = obj["g"]
        return np.random.Generator(bits)
    raise ValueError("malformed value")
