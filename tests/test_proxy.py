"""Behind nginx (PROXY_COUNT=1) the login throttle counts per client."""
from tests.helpers import login


def test_throttle_is_per_forwarded_client(site_factory):
    app = site_factory("gps", PROXY_COUNT=1, AUTH_RATE_LIMIT="2 per minute")

    def attempt(ip):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = ip
        return login(client, "jingban", "wrong-Password1").status_code

    assert [attempt("10.0.0.1") for _ in range(3)] == [302, 302, 429]
    assert attempt("10.0.0.2") == 302  # another client is not throttled
