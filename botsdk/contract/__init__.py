"""The behaviour contract: one serialisable schema shared by sensors, datasets, models, the runtime and the bridge."""

from botsdk.contract.compat import Difference, IncompatibleContractError, check_compatible, contract_differences
from botsdk.contract.model import (
    ActionHead,
    BehaviourContract,
    ContractError,
    ElementTransform,
    ObservationBlock,
    ObservationElement,
    RaySensorSpec,
    StyleSpec,
)
from botsdk.contract.io import load_contract, schema_path

__all__ = [
    "ActionHead", "BehaviourContract", "ContractError", "Difference", "ElementTransform", "IncompatibleContractError",
    "ObservationBlock", "ObservationElement", "RaySensorSpec", "StyleSpec", "check_compatible", "contract_differences",
    "load_contract", "schema_path",
]
