"""Timeline charts: one row per unit, a bar from when it was ready to when it finished,
terraform processes drawn inside it, so where the time goes is visible at a glance."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

COLORS = {"init": "#8e44ad", "plan": "#2980b9", "apply": "#27ae60", "destroy": "#c0392b",
          "state": "#f39c12", "output": "#d35400", "version": "#7f8c8d", "workspace": "#95a5a6"}


def _color(command):
    return COLORS.get(command, "#34495e")


def draw(path, title, panels, order):
    """panels: [(label, run figures, bound seconds or None)]; order: units top to bottom."""
    rows = len(order)
    fig, axes = plt.subplots(len(panels), 1, figsize=(13, 1.2 + len(panels) * (0.9 + 0.16 * rows)),
                             squeeze=False)
    for ax, (label, run, bound) in zip(axes[:, 0], panels):
        t0 = run["started"]
        y = {u: i for i, u in enumerate(order)}
        for unit, row in run.get("units", {}).items():
            if unit not in y:
                continue
            if "ready" in row:
                ax.barh(y[unit], row["ready"] - row["task_start"], left=row["task_start"] - t0, height=0.8,
                        color="#ecf0f1", edgecolor="none")
                ax.barh(y[unit], row["finished"] - row["ready"], left=row["ready"] - t0, height=0.8,
                        color="#bdc3c7", edgecolor="none")
            for start, end, command in row.get("tf_intervals", []):
                ax.barh(y[unit], end - start, left=start - t0, height=0.5, color=_color(command))
        if bound is not None and run.get("run_started"):
            ax.axvline(run["run_started"] - t0 + bound, color="black", linestyle="--", linewidth=1)
        ax.axvline(run["wall"], color="#c0392b", linewidth=1)
        ax.set_yticks(range(rows))
        ax.set_yticklabels(order if rows <= 40 else [u if i % 5 == 0 else "" for i, u in enumerate(order)],
                           fontsize=6 if rows > 12 else 8)
        ax.invert_yaxis()
        ax.set_xlim(0, max(run["wall"], 1) * 1.02)
        ax.set_title("%s: %.1f s" % (label, run["wall"]), fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("seconds since the command started")
    handles = [Patch(color="#ecf0f1", label="task waiting for dependencies"),
               Patch(color="#bdc3c7", label="ready -> finished (orchestration where no colour)")]
    handles += [Patch(color=c, label="terraform %s" % k) for k, c in COLORS.items()
                if k in ("init", "plan", "apply", "destroy", "state", "output", "version")]
    handles += [plt.Line2D([], [], color="black", linestyle="--", label="critical-path bound after first unit"),
                plt.Line2D([], [], color="#c0392b", label="command finished")]
    fig.legend(handles=handles, loc="upper right", fontsize=7, ncol=3)
    fig.suptitle(title, fontsize=11, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
