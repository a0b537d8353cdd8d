"""Who decides an award and how a proposal reaches them, as data: authorities.yaml (authority
levels, the bodies that propose, the `proposes_to` edges with their dates and sources) and
reorganisations.yaml (bodies and names that ceased to exist, with their sources)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from dossier.errors import InputError
from dossier.law import Graded, law_dir
from dossier.yamlio import load_yaml

Mode = Literal["decide", "propose", "forward"]


@dataclass(frozen=True)
class Edge(Graded):
    """A proposal from one authority goes to `authority` (between `start` and `end`)."""

    authority: str
    start: dt.date | None = None
    end: dt.date | None = None  # the first day it no longer applies
    through: str = ""  # the body that vets the file on the way

    def in_force(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Authority:
    id: str
    title: str
    proposes_to: tuple[Edge, ...]


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    head: str


@dataclass(frozen=True)
class Authorities:
    authorities: dict[str, Authority]
    bodies: dict[str, Body]


@dataclass(frozen=True)
class Route:
    """How one award form travels from the proposing body: `decide` (the body's own head),
    `propose` (a Tờ trình to the next level, which decides) or `forward` (a Tờ trình to the
    next level asking it to submit to the decider). `path`: the authorities from the body's
    head to the decider; `through`: the bodies that vet the file on the way."""

    mode: Mode
    path: tuple[str, ...]
    through: tuple[str, ...] = ()

    @property
    def decider(self) -> str:
        return self.path[-1]

    @property
    def addressee(self) -> str | None:
        """The authority the file is sent to (None: the head decides in its own name)."""
        return self.path[1] if len(self.path) > 1 else None


@dataclass(frozen=True)
class Reorganisation(Graded):
    id: str
    effective: dt.date
    title: str
    summary: str
    bodies: tuple[str, ...]
    names: tuple[re.Pattern, ...]


def authorities_file() -> Path:
    return law_dir() / "authorities.yaml"


def load_authorities() -> Authorities:
    return _load_authorities(authorities_file())


@lru_cache(maxsize=4)
def _load_authorities(path: Path) -> Authorities:
    data, _ = load_yaml(path)
    try:
        authorities = {key: Authority(key, value["title"],
                                      tuple(_edge(e) for e in value.get("proposes_to", [])))
                       for key, value in data["authorities"].items()}
        bodies = {key: Body(key, value["name"], value["head"])
                  for key, value in data["bodies"].items()}
    except (KeyError, TypeError, ValueError) as exc:
        # "the legal data file is malformed"
        raise InputError.single(path, f"tệp dữ liệu pháp lý sai cấu trúc: {exc!r}") from None
    named = ({e.authority for a in authorities.values() for e in a.proposes_to}
             | {b.head for b in bodies.values()})
    unknown = sorted(named - set(authorities))
    if unknown:
        # "names authority levels it does not define"
        raise InputError.single(path, f"nhắc đến cấp không được khai báo: {', '.join(unknown)}")
    return Authorities(authorities, bodies)


def _edge(data: dict) -> Edge:
    return Edge(evidence=data["evidence"], source=data["source"], read_in=data.get("read_in", ""),
                authority=data["authority"], start=_date(data.get("from")),
                end=_date(data.get("until")), through=data.get("through", ""))


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def route(data: Authorities, body: str, levels: tuple[str, ...], day: dt.date) -> Route | None:
    """The shortest way from `body`'s head to an authority among `levels`, by the edges in
    force on `day`; None when there is none."""
    start = data.bodies[body].head
    paths: dict[str, tuple[str, ...]] = {start: (start,)}
    frontier = [start]
    while frontier:
        for current in frontier:
            if current in levels:
                return _route(data, paths[current])
        following = []
        for current in frontier:
            for edge in data.authorities[current].proposes_to:
                if edge.in_force(day) and edge.authority not in paths:
                    paths[edge.authority] = (*paths[current], edge.authority)
                    following.append(edge.authority)
        frontier = following
    return None


def _route(data: Authorities, path: tuple[str, ...]) -> Route:
    mode: Mode = "decide" if len(path) == 1 else "propose" if len(path) == 2 else "forward"
    through = tuple(edge.through for lower, upper in zip(path, path[1:], strict=False)
                    for edge in data.authorities[lower].proposes_to
                    if edge.authority == upper and edge.through)
    return Route(mode, path, through)


def reorganisations_file() -> Path:
    return law_dir() / "reorganisations.yaml"


def load_reorganisations() -> tuple[Reorganisation, ...]:
    path = reorganisations_file()
    return _load_reorganisations(path) if path.is_file() else ()


@lru_cache(maxsize=4)
def _load_reorganisations(path: Path) -> tuple[Reorganisation, ...]:
    data, _ = load_yaml(path)
    try:
        return tuple(
            Reorganisation(evidence=c["evidence"], source=c["source"],
                           read_in=c.get("read_in", ""), id=c["id"],
                           effective=_date(c["effective"]), title=c["title"],
                           summary=c["summary"], bodies=tuple(c.get("bodies", ())),
                           names=tuple(re.compile(n, re.IGNORECASE) for n in c.get("names", ())))
            for c in data["changes"])
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise InputError.single(path, f"tệp dữ liệu pháp lý sai cấu trúc: {exc!r}") from None
