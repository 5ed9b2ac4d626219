"""The one lock around matplotlib's machinery that both back ends share.

matplotlib is not documented as thread-safe, and some of what it draws with is
one object for the whole process: the mathtext parser (a single pyparsing
grammar behind every ``MathTextParser``) above all. Everything the matplotlib
back end does with matplotlib (making a figure, drawing it, drawing a user's
figure), and every mathtext string the fast back end parses, runs under
:data:`MATPLOTLIB_LOCK`, so renders on different threads never meet inside it.
The fast back end's own text (glyphs, shaping) has a lock of its own and runs
beside matplotlib's drawing.
"""

from __future__ import annotations

import threading

__all__ = ["MATPLOTLIB_LOCK"]

#: re-entrant: a figure drawn under it may draw text that takes it again
MATPLOTLIB_LOCK = threading.RLock()
