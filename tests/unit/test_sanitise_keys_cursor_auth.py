import pytest

from worklogs.auth import Caller, Role
from worklogs.domain.cursor import decode_cursor, encode_cursor, filter_fingerprint
from worklogs.domain.html import sanitize_description
from worklogs.errors import BadRequest, Forbidden, NotFound, Unauthorized
from worklogs.repository import keys


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>ok</p>", "<p>ok</p>"),
        ("<script>alert(1)</script>text", "text"),
        ('<img src=x onerror="alert(1)">', ""),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        (
            '<a href="https://x.test" onclick="y()">x</a>',
            '<a href="https://x.test" rel="noopener noreferrer nofollow">x</a>',
        ),
        ('<p style="color:red">x</p>', "<p>x</p>"),
        ("<ul><li><b>a</b></li></ul>", "<ul><li><b>a</b></li></ul>"),
        ("<iframe src=x></iframe>after", "after"),
        ("1 < 2 & 3", "1 &lt; 2 &amp; 3"),
    ],
)
def test_sanitise(dirty, clean):
    assert sanitize_description(dirty) == clean


def test_key_parts_are_escaped():
    assert keys.owner_timeline_pk("acme", "A#B", "C") != keys.owner_timeline_pk("acme", "A", "B#C")
    assert keys.owner_timeline_pk("a%23", "T", "1") != keys.owner_timeline_pk("a#", "T", "1")
    assert keys.worklog_key("acme", "id-1") == {"PK": "WS#acme#WL#id-1", "SK": "WORKLOG"}
    assert keys.timeline_sk("2026-11-11T09:00:00Z", "x") == "2026-11-11T09:00:00Z#x"


KEY = b"k" * 32


def test_cursor_round_trip_and_binding():
    binding = filter_fingerprint("acme", {"owner_type": "Ticket", "owner_id": "T-1"})
    cursor = encode_cursor({"k": {"PK": {"S": "x"}}}, binding=binding, key=KEY)
    assert decode_cursor(cursor, binding=binding, key=KEY) == {"k": {"PK": {"S": "x"}}}
    other = filter_fingerprint("beta", {"owner_type": "Ticket", "owner_id": "T-1"})
    with pytest.raises(BadRequest):
        decode_cursor(cursor, binding=other, key=KEY)
    with pytest.raises(BadRequest):
        decode_cursor(cursor, binding=binding, key=b"other-key")


def test_cursor_payload_cannot_be_edited():
    import base64
    import json

    binding = filter_fingerprint("acme", {})
    cursor = encode_cursor({"k": 1}, binding=binding, key=KEY)
    _payload, signature = cursor.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"v": 1, "b": binding, "p": {"k": 2}}).encode()).decode().rstrip("=")
    with pytest.raises(BadRequest):
        decode_cursor(f"{forged}.{signature}", binding=binding, key=KEY)


@pytest.mark.parametrize(
    ("workspaces", "expected"),
    [
        (["acme:admin", "beta:viewer"], {"acme": Role.ADMIN, "beta": Role.VIEWER}),
        ("[acme:admin beta:viewer]", {"acme": Role.ADMIN, "beta": Role.VIEWER}),
        ('["acme:member"]', {"acme": Role.MEMBER}),
        ("acme:manager,beta:member", {"acme": Role.MANAGER, "beta": Role.MEMBER}),
        ("acme:viewer acme:admin", {"acme": Role.ADMIN}),
        ("acme:owner nobody acme", {}),
        ("urn:x:acme:member", {"urn:x:acme": Role.MEMBER}),
        (None, {}),
    ],
)
def test_workspace_claims_in_every_form_api_gateway_passes(workspaces, expected):
    caller = Caller.from_claims({"sub": "alice", "workspaces": workspaces})
    assert dict(caller.roles) == expected


def test_privileges_and_missing_sub():
    caller = Caller.from_claims({"sub": "a", "privileges": "[worklog:lock-override x]"})
    assert caller.has_privilege("worklog:lock-override") and not caller.has_privilege("y")
    with pytest.raises(Unauthorized):
        Caller.from_claims({"workspaces": "acme:admin"})
    with pytest.raises(Unauthorized):
        Caller.from_claims(None)


def test_entity_vs_collection_access():
    caller = Caller.from_claims({"sub": "a", "workspaces": "acme:viewer"})
    with pytest.raises(NotFound):
        caller.require_entity_access("beta")
    with pytest.raises(Forbidden):
        caller.require_collection_access("beta")
    with pytest.raises(Forbidden):
        caller.require_collection_access("acme", Role.MEMBER)
    assert caller.require_entity_access("acme") is Role.VIEWER
