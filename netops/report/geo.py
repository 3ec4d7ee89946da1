"""Great-circle distances and a nearest-point index that scales to a national inventory.

The index buckets points into a lat/lon grid and searches rings of cells outwards,
stopping when no unseen cell can hold anything closer: exact, and O(1) cells per query
for the evenly spread sites of a country instead of O(n) for a scan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Generic, TypeVar

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG): the usual choice for haversine distances."""

T = TypeVar("T")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _xyz(lat: float, lon: float) -> tuple[float, float, float]:
    p, lam = math.radians(lat), math.radians(lon)
    c = math.cos(p)
    return c * math.cos(lam), c * math.sin(lam), math.sin(p)


class NearestIndex(Generic[T]):
    """Points with a payload; ``nearest(lat, lon)`` returns (distance_km, payload).

    Candidates are compared by the straight chord between unit vectors (no trigonometry per
    pair; the chord grows with the great-circle distance), and only the winner's distance is
    computed with haversine. Lower bound used to stop: a point in a cell beyond ring r differs
    from the query by at least r·cell degrees in latitude (distance ≥ R·Δφ) or in longitude
    (distance ≥ 2R·asin(cos φmax · sin(Δλ/2)), from the haversine formula with cos φ ≥ cos φmax).
    Longitudes are not wrapped at ±180° (no Indonesian site is near the antimeridian).
    """

    def __init__(self, points: Iterable[tuple[float, float, T]], cell_deg: float = 0.05):
        self.cell = cell_deg
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float, float, T]]] = defaultdict(list)
        self.max_abs_lat = 0.0
        for lat, lon, item in points:
            self.cells[self._key(lat, lon)].append((*_xyz(lat, lon), lat, lon, item))
            self.max_abs_lat = max(self.max_abs_lat, abs(lat))
        if self.cells:
            rows = [k[0] for k in self.cells]
            cols = [k[1] for k in self.cells]
            self.bounds = (min(rows), max(rows), min(cols), max(cols))

    def __len__(self) -> int:
        return sum(len(v) for v in self.cells.values())

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.cell), math.floor(lon / self.cell)

    def _lower_bound_chord2(self, ring: int, lat: float) -> float:
        """Squared chord of the least distance to any cell beyond ``ring``."""
        sep = math.radians(ring * self.cell)
        cos_max = math.cos(math.radians(max(self.max_abs_lat, abs(lat))))
        by_lon = 2 * math.asin(min(1.0, cos_max * math.sin(sep / 2)))
        angle = min(sep, by_lon)
        return (2 * math.sin(angle / 2)) ** 2

    def nearest(self, lat: float, lon: float) -> tuple[float, T] | None:
        if not self.cells:
            return None
        qx, qy, qz = _xyz(lat, lon)
        r0, c0 = self._key(lat, lon)
        rmin, rmax, cmin, cmax = self.bounds
        # Rings needed to cover the whole grid from here: the search never runs past it.
        last_ring = max(abs(r0 - rmin), abs(r0 - rmax), abs(c0 - cmin), abs(c0 - cmax))
        best_d2 = math.inf
        best: tuple[float, float, float, float, float, T] | None = None
        cells = self.cells
        for ring in range(last_ring + 1):
            for key in _ring(r0, c0, ring):
                for pt in cells.get(key, ()):
                    dx, dy, dz = pt[0] - qx, pt[1] - qy, pt[2] - qz
                    d2 = dx * dx + dy * dy + dz * dz
                    if d2 < best_d2:
                        best_d2, best = d2, pt
            if best is not None and best_d2 <= self._lower_bound_chord2(ring, lat):
                break
        if best is None:
            return None
        return haversine_km(lat, lon, best[3], best[4]), best[5]


def _ring(r0: int, c0: int, ring: int) -> Iterable[tuple[int, int]]:
    if ring == 0:
        yield (r0, c0)
        return
    for c in range(c0 - ring, c0 + ring + 1):
        yield (r0 - ring, c)
        yield (r0 + ring, c)
    for r in range(r0 - ring + 1, r0 + ring):
        yield (r, c0 - ring)
        yield (r, c0 + ring)
