"""Figures for concentration results, in one house style (matplotlib, imported lazily).

Every function takes plain data or a result's frame and returns the matplotlib
``Axes`` it drew on; :func:`figure_svg` turns a figure into reproducible inline SVG.
matplotlib is imported on the first call, never on ``import concentration``.
"""

from ._charts import (plot_bar, plot_centrality_trend, plot_coefficients, plot_decomposition,
                      plot_hhi_trend, plot_intervals, plot_lorenz, plot_network,
                      plot_screen_zones, plot_sensitivity, spring_layout)
from ._mpl import PALETTE, figure_svg
from ._unilateral import plot_unilateral

__all__ = ["plot_hhi_trend", "plot_lorenz", "plot_screen_zones", "plot_network", "plot_bar",
           "plot_intervals", "plot_coefficients", "plot_decomposition", "plot_sensitivity",
           "plot_centrality_trend", "spring_layout", "figure_svg", "PALETTE",
           "plot_unilateral"]
