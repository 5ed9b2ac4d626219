"""Held colour scales: with ``hold_scale=True`` the limits a tag resolved at its
first call are kept for that tag for the life of the writer (per panel for a
batch with ``shared_scale=False``); later data beyond them is clipped and the
colour bar shows extension triangles."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

__all__ = ["HeldScales", "held_options", "resolve_held"]


class HeldScales:
    """The limits each tag (or tag and panel) resolved first, for ``hold_scale``.

    Owned by one writer; safe to use from its worker thread.
    """

    def __init__(self) -> None:
        self._limits: dict[Hashable, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {"limits": dict(self._limits)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._limits = dict(state["limits"])
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[float, float] | None:
        with self._lock:
            return self._limits.get(key)

    def hold(self, key: Hashable, vmin: float, vmax: float) -> tuple[float, float]:
        """Keep ``(vmin, vmax)`` for ``key`` unless limits are held already; return the held."""
        with self._lock:
            return self._limits.setdefault(key, (float(vmin), float(vmax)))

    def __len__(self) -> int:
        return len(self._limits)


def held_options(options: Any, limits: tuple[float, float]) -> Any:
    """Scale options that resolve to ``limits`` whatever the data (extensions still follow it)."""
    from dataclasses import replace

    return replace(options, vmin=limits[0], vmax=limits[1], center=None, robust=False)


def resolve_held(arrays: Sequence[np.ndarray], options: Any, held: HeldScales | None,
                 key: Hashable) -> Any:
    """The colour scale of ``arrays``; with ``held``, the limits ``key`` resolved first."""
    from ._scale import resolve_scale

    if held is None:
        return resolve_scale(arrays, options)
    limits = held.get(key)
    if limits is None:
        scale = resolve_scale(arrays, options)
        limits = held.hold(key, scale.vmin, scale.vmax)
        if limits == (scale.vmin, scale.vmax):
            return scale
    return resolve_scale(arrays, held_options(options, limits))
