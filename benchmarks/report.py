"""Ratios, the performance targets, and the reports: text tables, the Markdown
section of ``docs/performance.md`` and the chart."""

from __future__ import annotations

from typing import Any

from benchmarks import training
from benchmarks.common import COLORS, FIGURE_LABELS, FLOORS, LABELS, MARK_END, MARK_START


def _median(result: dict[str, Any], name: str, key: str) -> float | None:
    cell = result["approaches"].get(name, {}).get("sizes", {}).get(key)
    return None if cell is None else float(cell["median_ms"])


def add_ratios(result: dict[str, Any]) -> None:
    """Each cell's median over the reference's: figwriter fast, or for the figure
    table add_figure_png (``ratio``) and the draw floor (``ratio_draw``)."""
    for entry in result["approaches"].values():
        for key, cell in entry["sizes"].items():
            ref = _median(result, "fig_add_figure_png" if key == "figure" else "fast", key)
            cell["ratio"] = None if ref is None else cell["median_ms"] / ref
            if key == "figure":
                floor = _median(result, "fig_draw", key)
                cell["ratio_draw"] = None if floor is None else cell["median_ms"] / floor


# -- targets -----------------------------------------------------------------------------
def evaluate_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The performance targets of issues 3 and 4, evaluated on one run's medians.

    Each target: ``issue``, ``target`` (text), ``size``, ``value`` (the measured
    ratio or time), ``limit``, ``unit`` ("x faster", "x the floor", "ms"...),
    ``met`` (True, False, or None when not measured) and ``detail``.
    """
    targets: list[dict[str, Any]] = []

    def faster(issue: int, text: str, key: str, slow: str, fast: str, limit: float) -> None:
        a, b = _median(result, slow, key), _median(result, fast, key)
        value = None if a is None or b is None else a / b
        targets.append({
            "issue": issue, "target": text, "size": key, "value": value, "limit": limit,
            "unit": "x faster", "met": None if value is None else value >= limit,
            "detail": _detail(result, key, slow, fast, a, b),
        })

    def at_most(issue: int, text: str, key: str, ours: str, floor: str, limit: float) -> None:
        a, b = _median(result, ours, key), _median(result, floor, key)
        value = None if a is None or b is None else a / b
        targets.append({
            "issue": issue, "target": text, "size": key, "value": value, "limit": limit,
            "unit": "x the floor", "met": None if value is None else value <= limit,
            "detail": _detail(result, key, ours, floor, a, b),
        })

    # the sizes the issues name; a run without one reports its targets as not measured
    sizes = [str(n) for n in result["settings"]["sizes"]]
    headline, big = "256", "4096"
    faster(3, "fast vs the seed workaround", headline, "seed", "fast", 60.0)
    faster(3, "fast vs tensorboardX add_figure (imshow + colorbar)", headline,
           "tbx_add_figure", "fast", 40.0)
    faster(3, "fast vs tensorboardX add_image of the bare array", headline,
           "tbx_add_image", "fast", 2.0)
    at_most(3, "fast vs one nanmin + nanmax pass", big, "fast", "floor_minmax", 3.0)
    faster(3, "add_figure_png vs tensorboardX add_figure (same figure)", "figure",
           "fig_tbx_add_figure", "fig_add_figure_png", 1.3)
    at_most(3, "add_figure_png vs the figure's canvas.draw()", "figure",
            "fig_add_figure_png", "fig_draw", 1.15)
    faster(3, "renderer='matplotlib' (reused figure) vs add_figure (fresh figure)", headline,
           "tbx_add_figure", "matplotlib", 3.0)
    for key in sizes:
        ours = result["approaches"].get("fast", {}).get("sizes", {}).get(key, {})
        seed = result["approaches"].get("seed", {}).get("sizes", {}).get(key, {})
        a, b = ours.get("png_bytes"), seed.get("png_bytes")
        value = None if not a or not b else a / b
        targets.append({
            "issue": 3, "target": "fast PNG bytes vs the seed workaround's", "size": key,
            "value": value, "limit": 1.0, "unit": "x the seed's bytes",
            "met": None if value is None else value <= 1.0,
            "detail": "not measured" if value is None else f"{a:,} B vs {b:,} B",
        })
    if result["settings"].get("async_render"):
        key = "1024"
        t = _median(result, "background", key)
        targets.append({
            "issue": 4, "target": "async_render=True caller cost, idle worker", "size": key,
            "value": t, "limit": 1.0, "unit": "ms", "met": None if t is None else t <= 1.0,
            "detail": _detail(result, key, "background", "background", t, t)
            if t is None else f"{t:.3f} ms median",
        })
        at_most(4, "async_render=True caller cost (idle worker) vs one nanmin + nanmax pass",
                big, "background", "floor_minmax", 1.0)
    at_most(13, "async_render='process' caller cost vs one nanmin + nanmax pass", big,
            "process", "floor_minmax", 1.5)
    return targets


def _detail(result: dict[str, Any], key: str, a_name: str, b_name: str,
            a: float | None, b: float | None) -> str:
    if key != "figure" and key not in {str(n) for n in result["settings"]["sizes"]}:
        return f"not measured (no {_size_name(key)} input in this run)"
    if a is None or b is None:
        missing = [n for n, v in ((a_name, a), (b_name, b)) if v is None]
        why = "; ".join(f"{n}: {result['skipped'].get(n, 'not run at this size')}"
                        for n in missing)
        return f"not measured ({why})"
    return f"{a_name} {_ms(a)} ms / {b_name} {_ms(b)} ms"


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 1 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def _size_name(key: str) -> str:
    return f"{key}x{key}" if key.isdigit() else key


# -- reports -----------------------------------------------------------------------------
def _fmt_ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _fmt_int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _fmt_mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:.2f}"


def _main_rows(result: dict[str, Any], key: str) -> list[list[str]]:
    rows = []
    for name, label in LABELS.items():
        cell = result["approaches"].get(name, {}).get("sizes", {}).get(key)
        if cell is None:
            continue
        peak, size = cell["peak_bytes"], cell["input_bytes"]
        rows.append([
            label, str(cell["runs"]), _ms(cell["median_ms"]), _fmt_ratio(cell["ratio"]),
            _fmt_int(cell.get("png_bytes")), _fmt_mib(peak),
            "-" if peak is None or not size else _fmt_ratio(peak / size),
        ])
    return rows


MAIN_HEADER = ["approach", "runs", "median ms", "x fast", "PNG bytes", "peak MiB", "x input"]
FIGURE_HEADER = ["approach", "runs", "median ms", "x ours", "x draw", "PNG bytes", "peak MiB"]


def _figure_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, label in FIGURE_LABELS.items():
        cell = result["approaches"].get(name, {}).get("sizes", {}).get("figure")
        if cell is None:
            continue
        rows.append([label, str(cell["runs"]), _ms(cell["median_ms"]),
                     _fmt_ratio(cell["ratio"]), _fmt_ratio(cell.get("ratio_draw")),
                     _fmt_int(cell.get("png_bytes")), _fmt_mib(cell["peak_bytes"])])
    return rows


def _encoder_table(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    enc = result["encoders"]
    pictures = list(enc["pictures"])
    header = ["encoder"] + [f"{p} ({enc['pictures'][p]})" if not p.endswith(
        enc["pictures"][p]) else p for p in pictures] + ["time vs default", "bytes vs default"]
    rows = []
    for row in enc["rows"]:
        cells = [f"{_ms(row['pictures'][p]['median_ms'])} ms, "
                 f"{row['pictures'][p]['png_bytes'] / 1000:.1f} kB" for p in pictures]
        rows.append([row["encoder"], *cells, f"{row['time_vs_default']:.2f}",
                     f"{row['bytes_vs_default']:.2f}"])
    return header, rows


def _target_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for t in result["targets"]:
        status = "n/a" if t["met"] is None else "met" if t["met"] else "NOT met"
        if t["value"] is None:
            measured = "-"
        elif t["unit"] == "ms":
            measured = f"{t['value']:.3f} ms (target <= {t['limit']:g} ms)"
        elif t["unit"] == "x faster":
            measured = f"{_fmt_ratio(t['value'])}x faster (target >= {t['limit']:g}x)"
        else:
            measured = f"{t['value']:.2f}{t['unit']} (target <= {t['limit']:g}x)"
        rows.append([status, f"#{t['issue']} {_size_name(t['size'])}: {t['target']}",
                     measured, t["detail"]])
    return rows


def _text_table(header: list[str], rows: list[list[str]], left: int = 1,
                indent: str = "  ") -> str:
    """Fixed-width columns; the first ``left`` columns left-aligned, the others right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [c.ljust(w) if i < left else c.rjust(w)
                 for i, (c, w) in enumerate(zip(r, widths))]
        lines.append(indent + "  ".join(cells).rstrip())
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":---" if i < left else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _machine_line(result: dict[str, Any]) -> str:
    m = result["machine"]
    v = m["versions"]
    versions = ", ".join(f"{k} {val}" for k, val in v.items() if val is not None)
    load = result.get("load_average_start"), result.get("load_average_end")
    load_text = "" if None in load else f"; load average {load[0]:.1f} at start, " \
                                        f"{load[1]:.1f} at end"
    return (f"{m['date']}, {m['platform']}, {m['cpus']} CPUs ({m['cpu']}), Python "
            f"{m['python']}; {versions}; PNG deflate: {m['png_backend']}{load_text}")


def _slow_rule(settings: dict[str, Any]) -> str:
    return (f"Approaches slower than {settings['slow_seconds']:g} s per call run at most "
            f"{settings['slow_rounds']} rounds ({settings.get('very_slow_rounds', '-')} "
            f"beyond {settings.get('very_slow_seconds', '-')} s).")


def format_report(result: dict[str, Any]) -> str:
    """The human-readable report: every table, the skipped approaches and the targets."""
    s = result["settings"]
    out = [f"figwriter bench: {_machine_line(result)}",
           f"Median of interleaved rounds after {s['warmup']} warm-up call(s); float32 input "
           "multiplied by a new factor every call (limits change every call). "
           + _slow_rule(s),
           "x fast: median / figwriter fast's median (how many times slower than figwriter "
           "fast). peak MiB: " + s["memory"] + "; x input: that peak over the input's size.",
           "PNG bytes: median size of the pictures written, read back from the event files.",
           ""]
    for n in s["sizes"]:
        key = str(n)
        rows = _main_rows(result, key)
        if rows:
            out.append(f"{n}x{n} float32 ({n * n * 4 / 2**20:.3g} MiB input)")
            out.append(_text_table(MAIN_HEADER, rows))
            out.append("")
    fig = result.get("figure")
    rows = _figure_rows(result)
    if fig and rows:
        out.append(f"add_figure_png on one reused {fig['width']}x{fig['height']} figure "
                   f"({fig['description']}); x ours: over add_figure_png, x draw: over the "
                   "draw floor")
        out.append(_text_table(FIGURE_HEADER, rows))
        out.append("")
    t = result.get("training")
    if t:
        out += [training.loop_caption(t), _text_table(training.LOOP_HEADER,
                                                       training.loop_rows(t)), ""]
        out += [training.burst_caption(t), _text_table(training.BURST_HEADER,
                                                        training.burst_rows(t)), ""]
    if result.get("pictures"):
        from benchmarks import pictures

        out.append("Pictures with options, each against the pyplot + add_figure code a user "
                   "would write for it (median ms per call)")
        out.append(_text_table(pictures.HEADER, pictures.format_rows(result["pictures"])))
        out.append("")
    if result.get("encoders"):
        header, rows = _encoder_table(result)
        out.append(f"PNG encoders: median time and bytes per picture "
                   f"({result['encoders']['rounds']} interleaved rounds; every output decoded "
                   "by Pillow to the same pixels); vs default: geometric mean over the pictures")
        out.append(_text_table(header, rows))
        out.append("")
    for name, why in result["skipped"].items():
        out.append(f"skipped: {name}: {why}")
    if result["skipped"]:
        out.append("")
    out.append("Targets (reported, not enforced)")
    out.append(_text_table(["status", "target", "measured", "detail"], _target_rows(result),
                           left=4))
    out.append("")
    out.append(f"Total time {result['seconds']:.0f} s.")
    return "\n".join(out)


def format_markdown(result: dict[str, Any], command: str) -> str:
    """The generated section of ``docs/performance.md`` (without the markers)."""
    s = result["settings"]
    out = [f"_Generated by `{command}` on {_machine_line(result)}. Total time "
           f"{result['seconds']:.0f} s._", "",
           "### Colour-mapped arrays", "",
           f"Median of interleaved rounds after {s['warmup']} warm-up call(s). "
           + _slow_rule(s) + " **x fast** is how many times slower than figwriter's fast "
           "call.", ""]
    header = ["size", *MAIN_HEADER]
    rows = []
    for n in s["sizes"]:
        rows += [[f"{n}²", *r] for r in _main_rows(result, str(n))]
    out += [_md_table(header, rows, left=2), ""]
    fig = result.get("figure")
    rows = _figure_rows(result)
    if fig and rows:
        out += ["### `add_figure_png`", "",
                f"One reused {fig['width']}x{fig['height']} figure ({fig['description']}). "
                "**x ours** is over `add_figure_png`, **x draw** over the figure's own "
                "`canvas.draw()`.", "", _md_table(FIGURE_HEADER, rows), ""]
    t = result.get("training")
    if t:
        out += ["### Training loops", "", training.loop_caption(t) + ".", "",
                _md_table(training.LOOP_HEADER, training.loop_rows(t)), "",
                training.burst_caption(t) + ".", "",
                _md_table(training.BURST_HEADER, training.burst_rows(t)), ""]
    if result.get("pictures"):
        from benchmarks import pictures

        out += ["### Pictures with options", "",
                "A spectrogram, a confusion matrix, an attention map and a heat map over a "
                "photograph, each against the pyplot + `add_figure` code a user would write "
                "for it (see `benchmarks/pictures.py`).", "",
                _md_table(pictures.HEADER, pictures.format_rows(result["pictures"])), ""]
    if result.get("encoders"):
        header, rows = _encoder_table(result)
        out += ["### PNG encoders", "",
                "Median time and size per picture; every output decodes with Pillow to the "
                "same pixels. *vs default* is the geometric mean over the pictures of the "
                "ratio to figwriter's default encoder.", "", _md_table(header, rows), ""]
    if result["skipped"]:
        out += ["Skipped: " + "; ".join(f"`{k}`: {v}" for k, v in result["skipped"].items()),
                ""]
    out += ["### Targets", "", _md_table(["status", "target", "measured", "detail"],
                                         _target_rows(result), left=4), ""]
    return "\n".join(out)


def write_markdown(path: str, section: str) -> None:
    """Replace what lies between ``MARK_START`` and ``MARK_END`` in ``path``.

    A file that does not exist yet is created with just the markers and the section.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = f"# Performance\n\n{MARK_START}\n{MARK_END}\n"
    start, end = text.find(MARK_START), text.find(MARK_END)
    if start < 0 or end < start:
        raise ValueError(
            f"--markdown: {path} must contain the markers {MARK_START!r} and then "
            f"{MARK_END!r}; the generated section goes between them"
        )
    new = text[:start + len(MARK_START)] + "\n" + section.rstrip() + "\n" + text[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def plot(result: dict[str, Any], path: str) -> None:
    """Save a log-log chart of median ms per approach against size as a PNG (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, 5.0), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    sizes = [int(n) for n in result["settings"]["sizes"]]
    for name, label in LABELS.items():
        cells = result["approaches"].get(name, {}).get("sizes", {})
        xs = [n for n in sizes if str(n) in cells]
        if not xs:
            continue
        ys = [cells[str(n)]["median_ms"] for n in xs]
        ax.plot(xs, ys, marker="o", linestyle="--" if name in FLOORS else "-",
                linewidth=2.5 if name == "fast" else 1.5, color=COLORS[name], label=label,
                zorder=3 if name == "fast" else 2)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{n}²" for n in sizes])
    ax.tick_params(axis="x", which="minor", bottom=False, labelbottom=False)
    ax.set_xlabel("input size (float32)")
    ax.set_ylabel("median ms per call (log scale; lower is better)")
    ax.grid(True, which="major", alpha=0.3)
    m = result["machine"]
    ax.set_title(f"figwriter bench, {m['cpus']} CPUs, {m['date']}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.savefig(path, format="png")

