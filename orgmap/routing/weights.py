"""The numbers behind the routing rules, loaded from a TOML file.

The packaged ``weights.toml`` holds the defaults and documents every number.
A team may keep its own file with only the keys it changes; the caller (the
service or CLI, reading ``ORGMAP_ROUTING_WEIGHTS``) passes its path to
:func:`load_weights`, which reads it through :mod:`orgmap.file_input` (a regular
file of at most :data:`MAX_WEIGHTS_BYTES`).  Loading refuses negative costs, unknown keys and
numbers that would break one of the rules of issues 3 and 11, with a message naming
the key, so a team cannot silently turn the engine against its own rules.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orgmap.domain.model import Disposition, RelationType
from orgmap.file_input import FileRefusedError, read_regular_file

__all__ = ["MAX_WEIGHTS_BYTES", "Weights", "WeightsError", "load_weights"]

#: A team's weights file is a few KB of TOML; anything far bigger is not one.
MAX_WEIGHTS_BYTES = 64 * 1024

_SECTIONS: dict[str, tuple[str, ...]] = {
    "call": ("base",),
    "channel": ("phone", "email"),
    "disposition": (*(d.value for d in Disposition), "donkey_faced_directly"),
    "relation": tuple(r.value for r in RelationType),
    "history": (
        "half_life_days",
        "horizon_days",
        "no_answer",
        "refused",
        "broken_promise",
        "disputed",
        "referred",
        "promise_grace_days",
        "timezone",
    ),
}
_TEXT_KEYS = {("history", "timezone")}
# Four months, read as the shortest such span: the rules say three unanswered
# calls that long ago change nothing, so the horizon must end before it.
_FOUR_MONTHS_DAYS = 120.0


class WeightsError(ValueError):
    """A weights file that cannot be used; the message names the file and the key.

    ``str()`` is ``"{source}: {reason}"``; ``reason`` alone reads after a caller's
    own prefix (the settings name the variable and its value).
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True, slots=True, eq=False)
class Weights:
    """Costs used by :mod:`orgmap.routing`; see ``weights.toml`` for each.

    Compared and hashed by identity, so that costs derived from one set of
    weights can be cached.
    """

    call: float
    channel: Mapping[str, float]
    disposition: Mapping[Disposition, float]
    donkey_faced_directly: float
    relation: Mapping[RelationType, float]
    half_life_days: float
    horizon_days: float
    no_answer: float
    refused: float
    broken_promise: float
    disputed: float
    referred: float
    promise_grace_days: float
    timezone: ZoneInfo

    @property
    def cooperative_hop(self) -> float:
        """The dearest *cooperative hop*: reports_to/refers_to into a sheep or eagle."""
        return self.call + self.cooperative_relation + self.cooperative_disposition

    @property
    def cooperative_relation(self) -> float:
        rel = self.relation
        return max(rel[RelationType.REPORTS_TO], rel[RelationType.REFERS_TO])

    @property
    def cooperative_disposition(self) -> float:
        disp = self.disposition
        return max(disp[Disposition.SHEEP], disp[Disposition.EAGLE])

    def fade(self, age_days: float) -> float:
        """The share of a penalty left after ``age_days`` (0 beyond the horizon).

        >>> w = load_weights()
        >>> w.fade(0), w.fade(w.half_life_days), w.fade(w.horizon_days + 1)
        (1.0, 0.5, 0.0)
        """
        if age_days > self.horizon_days:
            return 0.0
        return 0.5 ** (max(age_days, 0.0) / self.half_life_days)


def load_weights(path: Path | None = None) -> Weights:
    """Read routing weights from ``path``, or the packaged defaults when None.

    Keys missing from a team's file take the packaged defaults.

    Raises
    ------
    WeightsError
        If the file cannot be read or parsed, has an unknown key, a value
        that is not a number, a negative cost, or numbers that break a rule.

    Examples
    --------
    >>> w = load_weights()
    >>> w.relation["refers_to"] < w.relation["reports_to"]
    True
    """
    if path is None:
        return _default_weights()
    merged = _merge(_read_default_table(), _read_table(path), source=str(path))
    return _weights_from_table(merged, source=str(path))


@functools.cache
def _default_weights() -> Weights:
    return _weights_from_table(_read_default_table(), source="weights.toml")


def _read_default_table() -> dict[str, Any]:
    text = resources.files("orgmap.routing").joinpath("weights.toml").read_text("utf-8")
    return tomllib.loads(text)


def _read_table(path: Path) -> dict[str, Any]:
    source = str(path)
    try:
        text = read_regular_file(path, max_bytes=MAX_WEIGHTS_BYTES).decode("utf-8")
        return tomllib.loads(text)
    except FileRefusedError as exc:
        raise WeightsError(source, f"cannot read routing weights: {exc.reason}") from exc
    except UnicodeDecodeError as exc:
        raise WeightsError(source, "routing weights are not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise WeightsError(source, f"not valid TOML: {exc}") from exc


def _merge(default: dict[str, Any], team: dict[str, Any], *, source: str) -> dict[str, Any]:
    merged = {name: dict(values) for name, values in default.items()}
    for name, values in team.items():
        if name not in _SECTIONS:
            raise WeightsError(source, f"unknown section [{name}]")
        if not isinstance(values, dict):
            raise WeightsError(source, f"{name} must be a [section]")
        for key, value in values.items():
            if key not in _SECTIONS[name]:
                raise WeightsError(source, f"unknown key {name}.{key}")
            merged[name][key] = value
    return merged


def _weights_from_table(table: dict[str, Any], *, source: str) -> Weights:
    values = {
        (name, key): _checked(table, name, key, source=source)
        for name, keys in _SECTIONS.items()
        for key in keys
    }
    try:
        zone = ZoneInfo(values["history", "timezone"])
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise WeightsError(
            source, f"history.timezone {values['history', 'timezone']!r} is not a time zone"
        ) from exc
    weights = Weights(
        call=values["call", "base"],
        channel=MappingProxyType({k: values["channel", k] for k in _SECTIONS["channel"]}),
        disposition=MappingProxyType({d: values["disposition", d.value] for d in Disposition}),
        donkey_faced_directly=values["disposition", "donkey_faced_directly"],
        relation=MappingProxyType({r: values["relation", r.value] for r in RelationType}),
        half_life_days=values["history", "half_life_days"],
        horizon_days=values["history", "horizon_days"],
        no_answer=values["history", "no_answer"],
        refused=values["history", "refused"],
        broken_promise=values["history", "broken_promise"],
        disputed=values["history", "disputed"],
        referred=values["history", "referred"],
        promise_grace_days=values["history", "promise_grace_days"],
        timezone=zone,
    )
    _check_rules(weights, source=source)
    return weights


def _checked(table: dict[str, Any], name: str, key: str, *, source: str) -> Any:
    try:
        value = table[name][key]
    except KeyError:
        raise WeightsError(source, f"missing {name}.{key}") from None
    if (name, key) in _TEXT_KEYS:
        if not isinstance(value, str):
            raise WeightsError(source, f"{name}.{key} must be text, got {value!r}")
        return value
    # bool is an int subclass: `true` is no cost.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WeightsError(source, f"{name}.{key} must be a number, got {value!r}")
    if value < 0:
        raise WeightsError(source, f"{name}.{key} must not be negative, got {value}")
    return float(value)


def _check_rules(w: Weights, *, source: str) -> None:
    """Refuse numbers that would break a rule of issue 3 or 11 (see weights.toml)."""
    coop = w.cooperative_hop
    rel = w.relation
    disp = w.disposition
    cheapest_other = min(v for r, v in rel.items() if r is not RelationType.REFERS_TO)
    customer = w.call + max(disp[d] for d in Disposition if d is not Disposition.FOX)
    three_calls_two_weeks_ago = 3 * w.no_answer * 0.5 ** (14 / w.half_life_days)
    referral_a_week_ago = w.referred * 0.5 ** (7 / w.half_life_days)
    # Calling whoever a cooperative contact referred us to, at the worst: of unknown
    # disposition, and only by the dearer channel; the referrer by the cheaper one.
    referred_person_dearer_by = (
        disp[Disposition.UNKNOWN]
        - w.cooperative_disposition
        + max(w.channel.values())
        - min(w.channel.values())
    )
    rules = [
        (w.half_life_days > 0, "history.half_life_days must be above 0"),
        (
            rel[RelationType.REFERS_TO] < cheapest_other,
            "relation.refers_to must be the cheapest relation",
        ),
        (
            rel[RelationType.PASSES_BUCK_TO] - w.cooperative_relation > 2 * coop,
            f"relation.passes_buck_to must cost more than two extra cooperative hops "
            f"(above {w.cooperative_relation + 2 * coop:g})",
        ),
        (
            disp[Disposition.FOX] - w.cooperative_disposition > 2 * coop,
            f"disposition.fox must cost more than two extra cooperative hops "
            f"(above {w.cooperative_disposition + 2 * coop:g})",
        ),
        (
            w.donkey_faced_directly > customer + rel[RelationType.INFLUENCES],
            f"disposition.donkey_faced_directly must exceed a hop through his customer "
            f"(above {customer + rel[RelationType.INFLUENCES]:g})",
        ),
        (
            0 < disp[Disposition.UNKNOWN] - w.cooperative_disposition < w.call,
            "disposition.unknown must cost a little more than sheep/eagle (less than call.base)",
        ),
        (
            three_calls_two_weeks_ago > coop,
            f"history.no_answer: three unanswered calls in 14 days ({three_calls_two_weeks_ago:g})"
            f" must cost more than a cooperative hop ({coop:g})",
        ),
        (
            referral_a_week_ago > referred_person_dearer_by,
            f"history.referred: a referral a week ago ({referral_a_week_ago:g}) must cost more "
            f"than calling an unknown person instead of a cooperative one, by the dearer channel "
            f"({referred_person_dearer_by:g})",
        ),
        (w.refused > w.no_answer, "history.refused must weigh more than history.no_answer"),
        (
            w.broken_promise > w.no_answer,
            "history.broken_promise must weigh more than history.no_answer",
        ),
        (
            w.horizon_days < _FOUR_MONTHS_DAYS,
            f"history.horizon_days must be under {_FOUR_MONTHS_DAYS:g}: calls four months "
            "ago change nothing",
        ),
    ]
    for holds, message in rules:
        if not holds:
            raise WeightsError(source, message)
