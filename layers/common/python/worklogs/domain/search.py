"""Which worklogs a search asks for; the repository turns this into one Query per page."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from worklogs.auth import Caller
from worklogs.errors import ValidationFailed

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class WorklogSearch:
    owner_type: str | None = None
    owner_id: str | None = None
    worker_id: str | None = None
    include_deleted: bool = False

    @property
    def by_owner(self) -> bool:
        return self.owner_type is not None and self.owner_id is not None

    def canonical(self) -> dict[str, str]:
        """The filter as the cursor binds it."""
        return {name: value for name, value in asdict(self).items() if value not in (None, False)}


def plan_search(
    *,
    caller: Caller,
    owner_type: str | None,
    owner_id: str | None,
    worker_id: str | None,
    include_deleted: bool = False,
) -> WorklogSearch:
    owner_type = (owner_type or "").strip() or None
    owner_id = (owner_id or "").strip() or None
    worker_id = (worker_id or "").strip() or None
    if (owner_type is None) != (owner_id is None):
        missing = "ownerId" if owner_id is None else "ownerType"
        raise ValidationFailed(
            "ownerType and ownerId go together.",
            details=[
                {
                    "loc": ["query", missing],
                    "msg": f"{missing} is required with the other.",
                    "type": "missing",
                }
            ],
        )
    if owner_type is None and worker_id is None:
        raise ValidationFailed(
            "Search by owner (ownerType and ownerId) or by worker (workerId, `me` for yourself).",
            details=[{"loc": ["query"], "msg": "No search filter given.", "type": "missing"}],
        )
    if worker_id == "me":
        worker_id = caller.sub
    return WorklogSearch(owner_type=owner_type, owner_id=owner_id, worker_id=worker_id, include_deleted=include_deleted)
