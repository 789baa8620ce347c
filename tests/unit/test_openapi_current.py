from local.openapi import render
from worklogs.openapi import SCHEMA_FILE


def test_committed_openapi_matches_the_code():
    assert SCHEMA_FILE.read_text() == render(), "run `make openapi`"


def test_every_operation_documents_its_errors_in_the_common_shape():
    import json

    schema = json.loads(render())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "500"} <= statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and status != "401":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    expected = {"409": "ConflictResponse", "412": "VersionMismatchResponse"}.get(status)
                    expected = expected or ("ValidationErrorResponse" if status == "422" else "ErrorResponse")
                    assert ref.endswith("/" + expected), (method, path, status)
                    envelope = schema["components"]["schemas"][expected]
                    info = schema["components"]["schemas"][envelope["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
                    assert info["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode"}
