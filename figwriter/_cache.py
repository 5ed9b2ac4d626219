"""The one bounded-cache type, and :func:`clear_caches`, which empties every cache.

Every cache in figwriter is a :class:`BoundedCache` made at import time, named
where it is made, and registered here, so :func:`clear_caches` forgets them
all. Caches never change a picture: a picture drawn with empty caches is
byte-identical to one drawn with full ones. State that does shape pictures (the
stable canvas size of a stream) belongs to the writer, not to a cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Callable, Generic, TypeVar

__all__ = ["BoundedCache", "clear_caches", "registered"]

V = TypeVar("V")

_REGISTRY: list[BoundedCache[Any]] = []
_REGISTRY_LOCK = threading.Lock()


class BoundedCache(Generic[V]):
    """A bounded, lock-protected LRU mapping.

    Parameters
    ----------
    name : str
        Where it is made, as ``"module.purpose"``: how tests and
        :func:`registered` find it.
    maxsize : int
        The least recently used entries go beyond this many.
    register : bool, default True
        Whether :func:`clear_caches` clears it (False for per-object state
        that uses the same storage).
    """

    def __init__(self, name: str, maxsize: int, *, register: bool = True) -> None:
        self.name = name
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        if register:
            with _REGISTRY_LOCK:
                _REGISTRY.append(self)

    def get(self, key: Hashable) -> V | None:
        """The value for ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> V:
        """Store ``value`` unless another thread was first; return the stored one."""
        with self._lock:
            old = self._items.get(key)
            if old is not None:
                self._items.move_to_end(key)
                return old
            self._store(key, value)
            return value

    def set(self, key: Hashable, value: V) -> None:
        """Store ``value``, replacing any earlier one."""
        with self._lock:
            self._store(key, value)

    def update(self, key: Hashable, change: Callable[[V | None], V]) -> V:
        """Replace the value for ``key`` by ``change(old)`` (old is None if absent), atomically."""
        with self._lock:
            value = change(self._items.get(key))
            self._store(key, value)
            return value

    def pop(self, key: Hashable) -> V | None:
        """Remove and return the value for ``key`` (lend it to one user), or None."""
        with self._lock:
            return self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def _store(self, key: Hashable, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)


def registered() -> list[BoundedCache[Any]]:
    """Every cache :func:`clear_caches` clears, in the order they were made."""
    with _REGISTRY_LOCK:
        return list(_REGISTRY)


def clear_caches() -> None:
    """Forget everything figwriter has cached (colour tables, tick sets, layouts,
    picture templates, rasterised text, reusable figures and Agg renderers).

    Pictures drawn afterwards are identical to those drawn before; the next
    call of each kind only pays again for what was cached. Writers keep their
    own state (each tag's stable picture size).

    Examples
    --------
    >>> import figwriter
    >>> figwriter.clear_caches()
    """
    for cache in registered():
        cache.clear()
