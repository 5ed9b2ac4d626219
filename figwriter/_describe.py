"""The Markdown description TensorBoard shows in a picture card's info.

TensorBoard reads a tag's description from the ``summary_description`` of the
first event that tag has in a run; figwriter writes one there, saying how the
picture's colours were chosen (colormap, norm, limits, units), unless the
caller gives ``description=``. A pure function of the validated options: no
data is looked at, so the text is the same at every step.
"""

from __future__ import annotations

import matplotlib.colors as mcolors

from ._scale import ScaleOptions

__all__ = ["describe"]


def describe(options: ScaleOptions, *, label: str | None = None,
             shared: bool | None = None) -> str:
    """A Markdown list describing a colour-mapped picture's scale.

    Parameters
    ----------
    options : ScaleOptions
        The validated colour options (:func:`figwriter._scale.scale_options`).
    label : str, optional
        The colour bar's label, shown as the values' units.
    shared : bool, optional
        For a batch: whether the panels share one scale (``None`` for a single
        picture).

    Examples
    --------
    >>> from figwriter._scale import scale_options
    >>> print(describe(scale_options(vmin=0.0, vmax=1.0), label="concentration (mol/L)"))
    - **colormap**: `viridis`, linear norm
    - **limits**: fixed, vmin = 0 and vmax = 1; values beyond are clipped and the colour bar shows a triangle at that end
    - **units** (the colour bar's label): concentration (mol/L)
    - NaN, ±inf and masked cells: the colormap's bad colour; they never move the limits
    """  # noqa: E501
    lines = [
        f"- **colormap**: `{options.cmap.name}`, {_norm(options.norm)}",
        f"- **limits**: {_limits(options, shared)}",
    ]
    if label:
        lines.append(f"- **units** (the colour bar's label): {_escape(label)}")
    lines.append("- NaN, ±inf and masked cells: the colormap's bad colour; "
                 "they never move the limits")
    return "\n".join(lines)


def _norm(norm: object) -> str:
    if isinstance(norm, str):
        return {"linear": "linear norm", "log": "log norm",
                "symlog": "symmetric log norm (linear within 1% of the largest |limit|)"}[norm]
    assert isinstance(norm, mcolors.Normalize)
    return f"`{type(norm).__name__}` norm"


def _limits(options: ScaleOptions, shared: bool | None) -> str:
    source = ("the 2nd and 98th percentiles" if options.robust
              else "the minimum and maximum")
    over = {None: "of the finite data", True: "of the finite data of the whole batch",
            False: "of each panel's finite data"}[shared]
    found = f"{source} {over}, at every step"
    if options.center is not None:
        return f"symmetric around center = {options.center:g}, from {found}"
    fixed = [f"{name} = {value:g}" for name, value in (("vmin", options.vmin),
                                                       ("vmax", options.vmax))
             if value is not None]
    clipped = "values beyond are clipped and the colour bar shows a triangle at that end"
    if len(fixed) == 2:
        return f"fixed, {fixed[0]} and {fixed[1]}; {clipped}"
    if fixed:
        return f"{fixed[0]} fixed, the other from {found}; {clipped}"
    return f"from {found}"


def _escape(text: str) -> str:
    """Text as Markdown shows it literally (TensorBoard renders the description)."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text
