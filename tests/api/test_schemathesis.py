"""Schemathesis drives every operation of the generated document against the app.

It must find no server error, no response outside the declared schema or content type, and no
status code the document does not declare. Examples are bounded to keep the run short.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as builtin_checks
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 25
CHECKS = [builtin_checks.not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def test_every_operation_survives_generated_input(app_ctx, sign, partner, convening_with_agenda):
    sign("FR")
    sign("UZ")
    partner()
    convening_with_agenda()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app_ctx)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13  # the public reads (registry, convenings, library, initiatives), token reads
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            # The WSGI transport does not decompress; a real HTTP client would.
            case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

        check()
