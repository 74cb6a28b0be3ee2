"""Every setting of the autograd page: one dataclass per section, grouped so the page reads `DEFAULTS.<section>`.

Each section's dataclass lives next to the code it configures (its defaults carry the reason for their value);
this module only gathers them.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.autograd.backprop import BackpropConfig
from lib.autograd.demos import DemoConfig
from lib.autograd.graph import GraphConfig
from lib.autograd.linreg import LinRegConfig


@dataclass(frozen=True)
class AutogradConfig:
    """The page's settings: expression graph, behaviour demos, backprop stepper, linear regression."""

    graph: GraphConfig = GraphConfig()
    demo: DemoConfig = DemoConfig()
    backprop: BackpropConfig = BackpropConfig()
    linreg: LinRegConfig = LinRegConfig()
