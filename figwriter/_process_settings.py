"""What process mode carries between the caller's matplotlib and its workers'.

Out: the caller's settings, so that a worker draws as the synchronous mode
would. ``rcParams`` (fonts, sizes, colours, formatters) and the fonts the caller
added at run time with ``matplotlib.font_manager.fontManager.addfont`` (a worker
is a fresh interpreter: it knows only the fonts matplotlib finds on the
system). A snapshot is taken only when either changed.

Back: the warnings a job raised in the worker (a glyph no font has, cells too
small for their annotations, matplotlib's own), raised again in the caller's
process when the picture is written, under the caller's warning filters, as
thread mode raises them.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

__all__ = ["Settings", "apply_settings", "caught_warnings", "raise_again"]

#: one warning as it crosses the pipe: category module and name, text, file, line
Caught = tuple[str, str, str, str, int]


class Settings:
    """The caller's side: the last snapshot of rcParams and added fonts."""

    def __init__(self) -> None:
        self.rc: dict[str, Any] = {}  # the last snapshot (empty before the first)
        self.fonts_key: tuple[int, int, int] | None = None

    def changed(self) -> tuple[dict[str, Any], list[str]] | None:
        """A new snapshot (rcParams, font files) if either changed since the last one."""
        import matplotlib
        from matplotlib import font_manager

        rc: Any = matplotlib.rcParams
        manager = font_manager.fontManager
        key = (id(manager), len(manager.ttflist), len(manager.afmlist))
        # dict's own comparison: a few microseconds, no per-key lookups through RcParams
        if key == self.fonts_key and dict.__eq__(rc, self.rc):
            return None
        # lists copied, so that a list changed in place (font.sans-serif.insert(...)) is
        # seen as a change at the next call
        current: dict[str, Any] = {k: list(v) if v.__class__ is list else v
                                   for k, v in dict.items(rc)}
        files = list(dict.fromkeys(f.fname for f in (*manager.ttflist, *manager.afmlist)))
        self.rc, self.fonts_key = current, key
        return current, files


def apply_settings(settings: tuple[dict[str, Any], list[str]], known: set[str]) -> None:
    """The worker's side: add the fonts it lacks (``known``: files it has), set rcParams."""
    import matplotlib
    from matplotlib import font_manager

    rc: Any
    rc, files = settings
    manager = font_manager.fontManager
    if not known:
        known.update(f.fname for f in (*manager.ttflist, *manager.afmlist))
    added = False
    for path in files:
        if path in known:
            continue
        known.add(path)
        try:
            manager.addfont(path)
            added = True
        except Exception:  # e.g. removed since: drawing falls back, as the caller's would
            pass
    if added:
        cached = getattr(manager, "_findfont_cached", None)
        if cached is not None:  # lookups made before the font was known
            cached.cache_clear()
    rc = dict(rc)
    rc.pop("backend", None)  # workers draw with Agg
    dict.update(matplotlib.rcParams, rc)  # validated by the caller's rcParams


def caught_warnings(caught: list[warnings.WarningMessage]) -> list[Caught]:
    """Warnings recorded in a worker, as plain values (any category crosses)."""
    return [(w.category.__module__, w.category.__qualname__, str(w.message), w.filename,
             w.lineno) for w in caught]


#: where raise_again records the warnings shown (the "default" filter shows each once)
_REGISTRY: dict[Any, Any] = {}


def raise_again(caught: list[Caught]) -> None:
    """Raise a worker's warnings in this process, under this process's filters."""
    for module, name, text, filename, lineno in caught:
        warnings.warn_explicit(text, _category(module, name), filename, lineno,
                               registry=_REGISTRY)


def _category(module: str, name: str) -> type[Warning]:
    """The warning class, if this process has its module loaded; else UserWarning."""
    obj: Any = sys.modules.get(module)
    for part in name.split("."):
        obj = getattr(obj, part, None)
    if isinstance(obj, type) and issubclass(obj, Warning):
        return obj
    return UserWarning
