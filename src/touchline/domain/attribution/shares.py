"""Every model's shares for many conversions at once: the rules of models.py as vectorized
passes over flat arrays (one row per candidate touch, grouped by conversion, oldest first).
The credits engine feeds it from the event plane through Arrow (docs/attribution-engine.md).

Per-conversion figures (touch count, first and last positions, weight totals) are computed once
per conversion and repeated onto its rows, so each model costs a few passes over the rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from touchline.domain.attribution.settings import AttributionSettings
from touchline.domain.attribution.touches import ENGAGEMENT_FLOOR, SYNTHETIC_ENGAGEMENT_FLOOR

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

SESSION_KIND, SYNTHETIC_KIND, IMPRESSION_KIND = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Candidates:
    """Touches within reach of their conversion, grouped by `conversion` (ascending) and
    ordered oldest first inside a group (time, then touch key): see `journey_order`."""

    conversion: Ints  # the conversion's ordinal
    gap: Ints  # conversion time - touch time, µs (≥ 0)
    kind: npt.NDArray[np.integer[Any]]  # SESSION_KIND, SYNTHETIC_KIND or IMPRESSION_KIND
    direct: Bools  # the touch's channel is Direct
    engagement: npt.NDArray[np.integer[Any]]  # engagement_quality_score, 0-100
    markov: Floats  # the channel's fitted weight (0 when unfitted)
    shapley: Floats
    touch_key: npt.NDArray[np.uint64]  # carried along for the caller


@dataclass(frozen=True, slots=True)
class Shares:
    """The credited rows (`kept` indexes the candidates) and each model's share of each."""

    kept: Ints | None  # None: every candidate
    position: Ints  # 1-based among the conversion's credited touches
    by_model: dict[str, Floats]


@dataclass(frozen=True, slots=True)
class _Paths:
    """The kept rows' windows and places, and their conversions' figures repeated per row."""

    lengths: Ints  # rows per conversion
    starts: Ints
    group: Ints  # each row's conversion, numbered from 0 in this slice
    in_click: Bools | None  # None: every row is in the click window
    position: Ints
    n: Ints  # click-window touches per conversion
    first: Bools  # the first click-window touch of its conversion
    last: Bools  # the last click-window touch

    @property
    def place(self) -> Ints:
        """Each row's index into a (conversion, place) table of 4 columns: first, last, middle
        click-window touch, outside the click window."""
        middle = 2 if self.in_click is None else np.where(self.in_click, 2, 3)
        place = np.where(self.first, 0, np.where(self.last, 1, middle))
        at: Ints = 4 * self.group + place
        return at


def journey_order(conversion: Ints, gap: Ints, key: npt.NDArray[np.uint64]) -> Ints:
    """The permutation that groups rows by conversion, oldest first (largest gap), then by
    touch key. One value sort (several times faster than an `argsort`) of a packed integer:
    conversion, coarse inverted gap, row index; rows whose conversion and coarse gap tie are
    re-sorted exactly. Conversion ordinals and gaps are ≥ 0."""
    if len(conversion) == 0:
        return np.zeros(0, np.int64)
    index_bits = max(1, (len(conversion) - 1).bit_length())
    index = np.arange(len(conversion), dtype=np.int64)
    packed = _sorted_packed(conversion, gap, index, index_bits)
    if packed is None:
        return _argsorted(conversion, gap, key)
    order: Ints = np.bitwise_and(packed, (1 << index_bits) - 1, out=index)
    packed >>= index_bits
    return _ties_resorted(order, packed, gap, key)


def codes_in_journey_order(
    journey: Ints, gap: Ints, key: npt.NDArray[np.uint64],
    codes: npt.NDArray[np.unsignedinteger[Any]],
) -> Ints:  # fmt: skip
    """`codes[journey_order(journey, gap, key)]` (the fits need only each step's channel, in
    order): the code rides in the low bits of the packed value instead of the row index, so the
    sort leaves no permutation to gather through — and allocates less, which is most of a first
    call's cost. When two rows of a journey share a coarse gap, the code would break their tie
    instead of the touch key, so those inputs take the exact path."""
    if len(journey) == 0:
        return np.zeros(0, np.int64)
    code_bits = max(1, int(codes.max()).bit_length())
    packed = _sorted_packed(journey, gap, codes, code_bits)
    if packed is not None:
        heads = packed >> code_bits
        if not (heads[1:] == heads[:-1]).any():
            ordered: Ints = np.bitwise_and(packed, (1 << code_bits) - 1, out=packed)
            return ordered
    return codes[journey_order(journey, gap, key)].astype(np.int64)


def _sorted_packed(
    group: Ints, gap: Ints, low: npt.NDArray[np.integer[Any]], low_bits: int
) -> Ints | None:
    """The sorted values of (group, coarse inverted gap, `low` in the last `low_bits` bits), or
    None when the groups and `low` leave the gap no bit. Groups and gaps are ≥ 0."""
    gap_bits = 62 - int(group.max()).bit_length() - low_bits
    if gap_bits < 1:
        return None
    shift = max(0, int(gap.max()).bit_length() - gap_bits)
    # In place where it can be: every fresh 8-byte-per-row array costs its page faults.
    packed = gap >> shift
    np.subtract((1 << gap_bits) - 1, packed, out=packed)
    packed |= np.left_shift(group, gap_bits)
    packed <<= low_bits
    packed |= low
    packed.sort()
    return packed


def _argsorted(conversion: Ints, gap: Ints, key: npt.NDArray[np.uint64]) -> Ints:
    """`journey_order` for more rows and conversions than one integer packs with their index."""
    spare = 62 - int(conversion.max()).bit_length()
    shift = max(0, int(gap.max()).bit_length() - spare)
    packed = (conversion << spare) | ((1 << spare) - 1 - (gap >> shift))
    order: Ints = np.argsort(packed)
    return _ties_resorted(order, packed[order], gap, key)


def _ties_resorted(order: Ints, ordered: Ints, gap: Ints, key: npt.NDArray[np.uint64]) -> Ints:
    """`order` with each run of equal `ordered` (packed conversion and coarse gap, sorted)
    re-sorted exactly: oldest first, then by touch key."""
    tie = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(tie):
        slots = np.union1d(tie, tie + 1)
        tied = order[slots]
        order[slots] = tied[np.lexsort((key[tied], -gap[tied], ordered[slots]))]
    return order


def model_shares(rows: Candidates, settings: AttributionSettings) -> Shares:
    """Credits of every model (domain/attribution/models.py) for every conversion in `rows`
    (at least one row); no models at all when no row is in any window."""
    in_click, in_first = _windows(rows, settings)
    kept: Ints | None = None
    if in_click is not None or in_first is not None:
        keep = _either(in_click, in_first)
        if not keep.all():
            kept = np.flatnonzero(keep)
            if len(kept) == 0:
                return Shares(kept, kept, {})
            rows, in_click, in_first = _taken(rows, kept), _at(in_click, kept), _at(in_first, kept)
    paths = _paths(rows.conversion, in_click)
    equal = _repeat(paths, np.divide(1.0, paths.n, out=np.zeros(len(paths.n)), where=paths.n > 0))
    if paths.in_click is not None:
        equal *= paths.in_click
    return Shares(kept, paths.position, {
        **_positional(paths, rows.direct, in_first, equal, settings),
        **_proportional(rows, paths, equal, settings),
    })  # fmt: skip


def _windows(rows: Candidates, settings: AttributionSettings) -> tuple[Bools | None, Bools | None]:
    """In the click window (view window for impressions) and in the first-touch window; None
    when every row is."""
    in_click: Bools = rows.gap <= settings.click_window_us
    in_first: Bools = rows.gap <= settings.first_touch_window_us
    seen = rows.kind == IMPRESSION_KIND
    if seen.any():
        in_view = rows.gap <= settings.view_window_us
        in_click = np.where(seen, in_view, in_click)
        in_first = np.where(seen, in_view, in_first)
    return _none_if_all(in_click), _none_if_all(in_first)


def _none_if_all(mask: Bools | None) -> Bools | None:
    return None if mask is None or mask.all() else mask


def _either(a: Bools | None, b: Bools | None) -> Bools:
    if a is None or b is None:
        return np.ones(len(a if a is not None else b), np.bool_)  # type: ignore[arg-type]
    return a | b


def _at(mask: Bools | None, kept: Ints) -> Bools | None:
    return None if mask is None else _none_if_all(mask[kept])


def _taken(rows: Candidates, kept: Ints) -> Candidates:
    return Candidates(
        conversion=rows.conversion[kept], gap=rows.gap[kept], kind=rows.kind[kept],
        direct=rows.direct[kept], engagement=rows.engagement[kept],
        markov=rows.markov[kept], shapley=rows.shapley[kept], touch_key=rows.touch_key[kept],
    )  # fmt: skip


def _paths(conversion: Ints, in_click: Bools | None) -> _Paths:
    edge = np.empty(len(conversion), np.bool_)
    edge[:1] = True
    np.not_equal(conversion[1:], conversion[:-1], out=edge[1:])
    starts = np.flatnonzero(edge)
    lengths = np.diff(starts, append=len(conversion))
    group = np.cumsum(edge) - 1
    position = np.arange(1, len(conversion) + 1) - starts[group]
    if in_click is None:
        last = position == lengths[group]
        return _Paths(lengths, starts, group, None, position, lengths, position == 1, last)
    n = np.bincount(group, in_click, len(starts)).astype(np.int64)
    first_at = np.minimum.reduceat(np.where(in_click, position, len(conversion) + 1), starts)
    last_at = np.maximum.reduceat(np.where(in_click, position, 0), starts)
    first = position == first_at[group]
    last = position == last_at[group]
    return _Paths(lengths, starts, group, in_click, position, n, first, last)


def _repeat(paths: _Paths, per_conversion: npt.NDArray[Any]) -> Floats:
    """A per-conversion figure on each of the conversion's rows."""
    repeated: Floats = per_conversion[paths.group]
    return repeated


def _clicked(paths: _Paths, mask: Bools) -> Bools:
    return mask if paths.in_click is None else mask & paths.in_click


def _at_position(paths: _Paths, mask: Bools, *, largest: bool) -> tuple[Bools, Ints]:
    """The row at the smallest (or largest) position among `mask`'s rows of each conversion,
    and that position per conversion (0 or past the end when the conversion has none)."""
    if largest:
        at = np.maximum.reduceat(np.where(mask, paths.position, 0), paths.starts)
    else:
        at = np.minimum.reduceat(np.where(mask, paths.position, len(mask) + 1), paths.starts)
    found: Bools = paths.position == at[paths.group]
    return found, at


def _positional(
    paths: _Paths, direct: Bools, in_first: Bools | None, equal: Floats,
    settings: AttributionSettings,
) -> dict[str, Floats]:  # fmt: skip
    """The models that read only positions: each row's share from its place in the path."""
    first, last = paths.first, paths.last
    if in_first is None:
        first_any = first if paths.in_click is None else paths.position == 1
    else:
        first_any = _at_position(paths, in_first, largest=False)[0]
    last_nd, at = _at_position(paths, _clicked(paths, ~direct), largest=True)
    without = at == 0
    if without.any():  # an all-Direct path: last non-Direct falls back to the last touch
        last_nd = np.where(without[paths.group], last, last_nd)
    w, place = settings.weights, paths.place
    return {
        "last_touch": last.astype(np.float64),
        "first_touch": first_any.astype(np.float64),
        "split_50_50": _ends_and_middle(paths, place, (50, 50), (50, 0, 50)),
        "linear": equal,
        "position_based": _ends_and_middle(paths, place, (50, 50), (40, 20, 40)),
        "last_non_direct": last_nd.astype(np.float64),
        "custom_weighted": _ends_and_middle(
            paths, place, (w.first, w.last), (w.first, w.middle, w.last)
        ),
    }


def _ends_and_middle(
    paths: _Paths, place: Ints, two: tuple[int, int], longer: tuple[int, int, int]
) -> Floats:
    """Percentages of the first, middle (split equally) and last touches: one touch gets all,
    two split by `two` (equally when both are 0), three or more by `longer`. One table of
    shares per conversion and place, then one gather."""
    n = paths.n
    pair = two[0] + two[1]
    two_first, two_last = (two[0] / pair, two[1] / pair) if pair else (0.5, 0.5)
    table = np.zeros((len(n), 4))
    table[:, 0] = np.select([n == 1, n == 2], [1.0, two_first], longer[0] / 100.0)
    table[:, 1] = np.where(n == 2, two_last, longer[2] / 100.0)
    table[:, 2] = longer[1] / 100.0 / np.maximum(n - 2, 1)
    share: Floats = table.ravel()[place]
    return share


def _proportional(
    rows: Candidates, paths: _Paths, equal: Floats, settings: AttributionSettings
) -> dict[str, Floats]:
    """The models that split a conversion by per-touch weights."""
    engaged = np.clip(rows.engagement, ENGAGEMENT_FLOOR, 100).astype(np.float64)
    synthetic = rows.kind == SYNTHETIC_KIND
    if synthetic.any():
        floor = np.maximum(rows.engagement, SYNTHETIC_ENGAGEMENT_FLOOR)
        engaged = np.where(synthetic, floor, engaged)
    decay = np.exp2(rows.gap * (-1.0 / float(settings.half_life_us)))
    return {
        "time_decay": _split(paths, decay, equal),
        "engagement_weighted": _split(paths, engaged, equal),
        "markov": _split(paths, np.maximum(rows.markov, 0.0), equal),
        "shapley": _split(paths, np.maximum(rows.shapley, 0.0), equal),
    }


def _split(paths: _Paths, weight: Floats, equal: Floats) -> Floats:
    """Each click-window row's weight over its conversion's total; equal shares when the total
    is 0 (every weight 0, or every decay underflowed)."""
    if paths.in_click is not None:
        weight = weight * paths.in_click
    total = np.bincount(paths.group, weight, len(paths.starts))
    empty = total <= 0
    share: Floats = weight / _repeat(paths, np.where(empty, 1.0, total))
    if empty.any():
        share = np.where(empty[paths.group], equal, share)
    return share
