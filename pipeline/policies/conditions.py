"""A policy's conditions as stored (JSON with decimal strings, never floats) and as the domain reads them."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from decimal import Decimal

from pipeline.domain.policy import Benefit, PolicyConditions

_DECIMALS = ("rd_sales_min", "tech_staff_ratio_min", "sales_min", "sales_max")
_INTS = ("employees_min", "employees_max", "ip_class_i_min", "ip_class_ii_min")
_TUPLES = ("stages", "towns", "industries")


def dump_conditions(conditions: PolicyConditions) -> str:
    """The JSON stored in policy.conditions (decimals as strings, so nothing is rounded)."""
    data = {name: (str(value) if isinstance(value, Decimal) else list(value) if isinstance(value, tuple) else value)
            for name, value in asdict(conditions).items()}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def load_conditions(text: str | None) -> PolicyConditions:
    """The PolicyConditions of a stored JSON (unknown keys are ignored, missing ones set no condition)."""
    raw = json.loads(text or "{}")
    known = {f.name for f in fields(PolicyConditions)}
    values = {}
    for name, value in raw.items():
        if name not in known or value is None:
            continue
        if name in _DECIMALS:
            value = Decimal(value)
        elif name in _INTS:
            value = int(value)
        elif name in _TUPLES:
            value = tuple(value)
        values[name] = value
    return PolicyConditions(**values)


def policy_benefit(policy) -> Benefit:
    """The domain's Benefit of a Policy row."""
    return Benefit(policy.benefit_kind, policy.benefit_amount, policy.benefit_rate, policy.benefit_cap)
