"""What a plan is asked for: which resources (--only, --exclude) and what it may do (--prune
and its limits). Apart from the planner, so a command can read its options without loading
the planner's HTTP stack (sync loads that while the build runs)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import ConfigError
from .model import KINDS, Resource


@dataclass(frozen=True)
class Selection:
    """--only / --exclude: uids, folder uids, or kinds (folder, dashboard, alert-group, or
    their plurals), repeated or comma-separated (``--only dashboards,folders``)."""

    only: Sequence[str] = ()
    exclude: Sequence[str] = ()

    def __post_init__(self) -> None:
        for name in ("only", "exclude"):
            terms = tuple(t.strip() for v in getattr(self, name) for t in v.split(","))
            object.__setattr__(self, name, tuple(t for t in terms if t))

    @staticmethod
    def names(resource: Resource) -> set[str]:
        return {resource.kind, f"{resource.kind}s", resource.key, resource.folder or ""}

    def keeps(self, resource: Resource) -> bool:
        names = self.names(resource)
        if self.only and not names & set(self.only):
            return False
        return not names & set(self.exclude)

    def check(self, resources: Sequence[Resource]) -> None:
        """Every term must name something: a typo would otherwise select nothing at all (or,
        for --exclude, leave out nothing)."""
        known = {
            *(n for r in resources for n in self.names(r) if n),
            *(k for kind in KINDS for k in (kind, f"{kind}s")),
        }
        for option, terms in (("--only", self.only), ("--exclude", self.exclude)):
            for term in terms:
                if term not in known:
                    close = difflib.get_close_matches(term, sorted(known), n=3, cutoff=0.8)
                    hint = (
                        f"; did you mean {' or '.join(close)}?"
                        if close
                        else " (a uid, a folder uid, or a kind: " + ", ".join(KINDS) + ")"
                    )
                    raise ConfigError(f"{option} {term!r} matches nothing{hint}")


@dataclass(frozen=True)
class PlanOptions:
    prune: bool = False
    max_deletions: int = 5
    selection: Selection = field(default_factory=Selection)
    allow_delete_all: bool = False  # let --prune delete every managed resource of a kind
