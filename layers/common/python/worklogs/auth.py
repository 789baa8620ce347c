"""The verified caller: identity, workspace roles and privileges from the JWT authorizer's claims."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from worklogs.errors import Forbidden, NotFound, Unauthorized


class Role(enum.IntEnum):
    VIEWER = 1
    MEMBER = 2
    MANAGER = 3
    ADMIN = 4

    @classmethod
    def parse(cls, text: str) -> Role | None:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            return None


def _claim_list(value: Any) -> list[str]:
    """A list claim as API Gateway passes it: a JSON list, a "[a b]" string, or a space/comma list."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return [str(v).strip() for v in parsed if str(v).strip()]
        except ValueError:
            pass
        text = text.strip("[]")
    return [part for part in text.replace(",", " ").split() if part]


@dataclass(frozen=True)
class Caller:
    sub: str
    name: str | None = None
    roles: Mapping[str, Role] = field(default_factory=dict)
    privileges: frozenset[str] = frozenset()

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any] | None) -> Caller:
        if not claims or not str(claims.get("sub") or "").strip():
            raise Unauthorized("A valid bearer token is required.")
        roles: dict[str, Role] = {}
        for entry in _claim_list(claims.get("workspaces")):
            workspace_id, sep, role_text = entry.rpartition(":")
            role = Role.parse(role_text) if sep else None
            if workspace_id and role is not None:
                # The highest role wins when a workspace is listed twice.
                roles[workspace_id] = max(role, roles.get(workspace_id, role))
        return cls(
            sub=str(claims["sub"]).strip(),
            name=(str(claims["name"]) if claims.get("name") else None),
            roles=roles,
            privileges=frozenset(_claim_list(claims.get("privileges"))),
        )

    def role_in(self, workspace_id: str) -> Role | None:
        return self.roles.get(workspace_id)

    def require_entity_access(self, workspace_id: str, minimum: Role = Role.VIEWER) -> Role:
        """Access to one entity: a non-member learns nothing (404), a member without the role gets 403."""
        role = self.role_in(workspace_id)
        if role is None:
            raise NotFound("Worklog not found.")
        if role < minimum:
            raise Forbidden(f"This needs the {minimum.name.lower()} role in the workspace.")
        return role

    def require_collection_access(self, workspace_id: str, minimum: Role = Role.VIEWER) -> Role:
        """Access to a workspace collection (list, create): 403 when not a member or below the role."""
        role = self.role_in(workspace_id)
        if role is None:
            raise Forbidden("You are not a member of this workspace.")
        if role < minimum:
            raise Forbidden(f"This needs the {minimum.name.lower()} role in the workspace.")
        return role

    def has_privilege(self, privilege: str) -> bool:
        return privilege in self.privileges
