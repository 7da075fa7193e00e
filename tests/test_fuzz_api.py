"""Fuzzing the REST API of both kinds of site with schemathesis, in-process
(WSGI), signed in as each role: every operation of /api/v1/_openapi gets
schema-valid and schema-breaking requests. Nothing may answer 5xx, and a
refused request (4xx) must not have changed any row.

Seeded and with a fixed number of examples per operation, mode and role, so a
run is repeatable and stays inside the CI budget (FUZZ_EXAMPLES to widen it
locally). A failure lists each case with a curl command to replay it.
"""
import hashlib
import os

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from app.extensions import db
from tests.helpers import api_token, bearer

SEED = 20260412
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
ROLES = {
    "gps": ["admin", "jingban", "shenhe", "daili", "chushen", "fuhe", "jianguan"],
    "pds": ["admin", "daili", "keshi"],
}
# Rows a request may change whatever it is answered: none so far.
VOLATILE_TABLES: set[str] = set()


def fingerprint(app) -> str:
    """A digest of every row of every table: equal digests, no row changed."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            rows = db.session.execute(table.select().order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
        db.session.remove()
    return digest.hexdigest()


def fuzz(app, site):
    import schemathesis
    from schemathesis import GenerationMode

    client = app.test_client()
    tokens = {user: api_token(client, user) for user in ROLES[site]}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app,
                                            headers=bearer(tokens["admin"]))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10, "the OpenAPI spec lists the site's APIs"
    failures = []
    for operation in operations:
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))
        for user, token in tokens.items():
            _run(app, operation, strategy, user, token, failures)
    return operations, failures


def _run(app, operation, strategy, user, token, failures):
    writes = operation.method.upper() not in ("GET", "HEAD", "OPTIONS")

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        before = fingerprint(app) if writes else None
        response = case.call(headers=bearer(token))
        where = f"{user} {operation.method.upper()} {operation.path}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code} {response.text[:200]}\n"
                            f"    {case.as_curl_command(headers=bearer('…'))}")
        elif writes and 400 <= response.status_code < 500 and fingerprint(app) != before:
            failures.append(f"{where}: refused with {response.status_code} but rows changed\n"
                            f"    {case.as_curl_command(headers=bearer('…'))}")

    check()


@pytest.mark.parametrize("site", ["gps", "pds"])
def test_no_5xx_and_no_change_on_refusal(site, site_factory):
    app = site_factory(site)
    operations, failures = fuzz(app, site)
    assert not failures, (f"{len(failures)} failing cases over {len(operations)} operations:\n"
                          + "\n".join(failures[:40]))
