"""The OpenAPI schema generates without a warning and validates against the OpenAPI spec.

drf-spectacular warns when it has to guess (a field without a type, an action without a
response serializer) and then documents something vaguer than the API does. Every guess is a
place where clients and the schema fuzzing (test_schema_fuzz.py) read the wrong contract.
"""

import yaml
from django.core.management import call_command


def test_it_generates_the_schema_without_warnings_or_errors(tmp_path, capsys):
    path = tmp_path / "schema.yaml"
    # --fail-on-warn exits (SystemExit) on the first warning or error; --validate checks the
    # result against the OpenAPI 3 specification.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    out, err = capsys.readouterr()
    assert "Warning" not in err + out
    assert "Error" not in err + out
    schema = yaml.safe_load(path.read_text())
    assert schema["info"]["title"] == "Seamline API"
    assert "/api/v1/handoffs/" in schema["paths"]


def test_it_documents_the_errors_every_operation_answers(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "404" in responses or "{" not in route, (method, route)
            if "security" in operation:  # all but the webhook, which checks its own signature
                assert {"401", "403"} <= set(responses), (method, route)
            if method in ("post", "put", "patch"):
                assert "400" in responses, (method, route)
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"]
