"""Reference codes every feature shares about the world's States."""

from __future__ import annotations

#: The UN M49 regions the registry, the library, the convenings' filters and fair times group by:
#: Africa, Americas, Asia, Europe, Oceania (in this order everywhere).
REGIONS = ("002", "019", "142", "150", "009")
