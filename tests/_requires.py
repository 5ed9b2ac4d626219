"""What the suite needs from outside figwriter, and what a test does without it.

A feature of figwriter is never skipped: its tests import it and fail when it is
missing or broken. Skips are left only for what the project does not ship, each
with its reason, and in CI (``CI`` set, where ``.ci/run`` installs everything)
those fail too:

- torch and Lightning (in the ``test`` extra, but large): skipped without them on a
  developer's machine;
- Chromium for the browser test (``tests/_tensorboard_server.need_browser``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

import pytest

#: CI installs every extra: nothing may be skipped for a missing package there
IN_CI = bool(os.environ.get("CI"))
HAVE_TORCH = importlib.util.find_spec("torch") is not None
TORCH_MISSING = "torch is not installed (pip install -e '.[test]'); in CI this fails"

#: run the test where torch is installed and in CI (where a missing torch fails it)
needs_torch = pytest.mark.skipif(not HAVE_TORCH and not IN_CI, reason=TORCH_MISSING)


def require(name: str) -> ModuleType:
    """The package ``name``; a skip without it outside CI, a failure in CI."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        if IN_CI:
            pytest.fail(f"{name} must be installed in CI: {err}")
        pytest.skip(f"{name} is not installed (pip install -e '.[test]'); in CI this fails",
                    allow_module_level=True)


def import_torch() -> ModuleType:
    """torch; a skip without it outside CI, a failure in CI."""
    return require("torch")
