"""``--plot FILE.png|svg``: A(d) on log-log axes with the fit, the uniform-attention null and the Padé line."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.errors import DependencyError, UsageError
from tafagent.core.messages import Msg

PLOT_SUFFIXES = (".png", ".svg")


def check_plot_path(path: Path) -> None:
    """Fail early (before measuring) on an unsupported extension or a missing matplotlib."""
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"--plot '{path}': unsupported format", "use a .png or .svg file name")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        error = DependencyError("--plot needs matplotlib", "pip install 'tafagent[plot]'")
        raise error.in_words(Msg("cli.error.needs_matplotlib")) from None


def plot_diagnosis(diagnosis: Diagnosis, path: Path, *, per_head: bool = False) -> None:
    """Draw every measured corpus: points A(d), the fitted d^−γ line, the uniform null (same estimator),
    the fast protocol's curve estimator when present, and a d^−γ_Padé line anchored at the fit's centre.
    ``per_head`` adds a second panel: the γ field, per-head γ as a layers × heads heat map."""
    check_plot_path(path)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    field = diagnosis.primary.per_head_gamma if per_head and diagnosis.primary is not None else {}
    if field:
        figure, (axes, field_axes) = pyplot.subplots(1, 2, figsize=(13.0, 5.0), dpi=120, width_ratios=(3, 2))
        _draw_gamma_field(figure, field_axes, field, diagnosis.primary.corpus)  # type: ignore[union-attr]
    else:
        figure, axes = pyplot.subplots(figsize=(7.5, 5.0), dpi=120)
    colours = {"text": "tab:blue", "random": "tab:orange"}
    drawn_nulls: set[tuple[str, tuple[int, ...]]] = set()
    for corpus, result in diagnosis.results.items():
        colour = colours.get(corpus, "tab:green")
        ds = sorted(result.attn_by_distance)
        axes.loglog(ds, [result.attn_by_distance[d] for d in ds], "o", color=colour, label=f"A(d), {corpus}")
        if result.fit is not None:
            fit = result.fit
            line = _span(fit.distances)
            label = f"fit γ = {fit.gamma:.3f} (R² {fit.R2:.3f})"
            if result.gamma_ci95 is not None:
                label += f", 95% CI [{result.gamma_ci95[0]:.3f}, {result.gamma_ci95[1]:.3f}]"
            axes.loglog(line, [fit.predict(d) for d in line], "-", color=colour, label=label)
        null = result.null
        nds = sorted(d for d, v in null.attn_by_distance.items() if v > 0)
        if nds and (null.estimator, tuple(nds)) not in drawn_nulls:
            drawn_nulls.add((null.estimator, tuple(nds)))
            null_label = "uniform attention" + (f" (γ = {null.gamma:.3f})" if null.gamma is not None else "")
            axes.loglog(nds, [null.attn_by_distance[d] for d in nds], ":", color="grey", label=null_label)
        if result.curve is not None:
            cds = [d for d, v in zip(result.curve.distances, result.curve.attn, strict=True) if v > 0]
            cvs = [v for v in result.curve.attn if v > 0]
            curve_gamma = result.curve.gamma
            axes.loglog(
                cds,
                cvs,
                "-",
                color=colour,
                alpha=0.35,
                label=f"curve estimator, {corpus}" + (f" (γ = {curve_gamma:.3f})" if curve_gamma is not None else ""),
            )
    _draw_pade(axes, diagnosis)
    axes.set_xlabel("query–key distance d (tokens)")
    axes.set_ylabel("attention A(d)")
    axes.set_title(f"{diagnosis.model} — {diagnosis.protocol} protocol", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7)
    figure.tight_layout()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
    except OSError as error:
        raise UsageError(f"cannot write '{path}': {error.strerror or error}", "check the --plot path") from None
    finally:
        pyplot.close(figure)


def _draw_pade(axes: Any, diagnosis: Diagnosis) -> None:
    """A d^−γ_Padé line anchored at the primary fit's geometric centre."""
    primary = diagnosis.primary
    if diagnosis.gamma_pade is not None and primary is not None and primary.fit is not None:
        fit = primary.fit
        centre = math.exp(sum(math.log(d) for d in fit.distances) / len(fit.distances))
        anchor = fit.predict(centre)
        line = _span(fit.distances)
        axes.loglog(
            line,
            [anchor * (d / centre) ** -diagnosis.gamma_pade for d in line],
            "--",
            color="tab:red",
            label=f"Padé γ = {diagnosis.gamma_pade:.3f} (θ = {diagnosis.theta:,.0f}, T = {diagnosis.T_pade})",
        )


def _draw_gamma_field(figure: Any, axes: Any, field: dict[int, tuple[float | None, ...]], corpus: str) -> None:
    """Per-head γ (rows: layers, columns: heads); heads without a fit are blank."""
    layers = sorted(field)
    width = max(len(field[layer]) for layer in layers)
    grid = [
        [math.nan if g is None else g for g in field[layer]] + [math.nan] * (width - len(field[layer]))
        for layer in layers
    ]
    image = axes.imshow(grid, aspect="auto", cmap="viridis", interpolation="nearest")
    axes.set_xlabel("head")
    axes.set_xticks(range(width), [str(head) for head in range(width)])
    axes.set_ylabel("layer")
    axes.set_yticks(range(len(layers)), [str(layer) for layer in layers])
    axes.set_title(f"γ field: per-head γ ({corpus})", fontsize=10)
    figure.colorbar(image, ax=axes, label="γ")


def _span(distances: tuple[int, ...] | list[int]) -> list[float]:
    low, high = min(distances), max(distances)
    return [math.exp(math.log(low) + (math.log(high) - math.log(low)) * i / 63) for i in range(64)]
