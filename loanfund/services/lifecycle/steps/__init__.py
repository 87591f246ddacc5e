"""Every lifecycle step, one module each (``step.StepDef``): the registry reads this package, so a new step is its
module, its tests and its row in the domain's transition table — nothing else to list it in."""

from __future__ import annotations

import importlib
import pkgutil

from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle.step import StepDef


def _found() -> dict[Action, StepDef]:
    steps: dict[Action, StepDef] = {}
    for module in pkgutil.iter_modules(__path__):
        step = importlib.import_module(f"{__name__}.{module.name}").STEP
        assert isinstance(step, StepDef), module.name
        assert step.action not in steps, f"{step.action} defined twice"
        assert step.names == step.parameters, f"{step.action}: inputs {step.names} != apply's {step.parameters}"
        steps[step.action] = step
    return {action: steps[action] for action in Action if action in steps}  # in DESIGN §3's order


STEPS: dict[Action, StepDef] = _found()
