"""Print a token the local runner accepts.

python -m local.token --sub alice --workspaces acme:admin --privileges worklog:lock-override
"""

from __future__ import annotations

import argparse

from local.auth import issue_token


def _split(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sub", required=True, help="user id (the token's subject)")
    parser.add_argument("--workspaces", default="", help="space/comma separated <workspaceId>:<role> entries")
    parser.add_argument("--privileges", default="", help="space/comma separated privileges")
    parser.add_argument("--name", default=None, help="display name")
    parser.add_argument("--ttl", type=int, default=12 * 3600, help="lifetime in seconds (default 12 h)")
    args = parser.parse_args(argv)
    print(
        issue_token(
            sub=args.sub,
            workspaces=_split(args.workspaces),
            privileges=_split(args.privileges),
            name=args.name,
            ttl_seconds=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
