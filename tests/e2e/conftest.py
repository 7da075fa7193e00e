import pytest

from tests.e2e.stack import Stack


@pytest.fixture
def stack(templates, databases, redis_url, tmp_path):
    """GPS, 平顶山市 and 方城县 sites with workers and sweepers, all real."""
    urls = {key: databases.clone(templates[key], f"e2e_{key}") for key in ("gps", "pds", "fc")}
    s = Stack(urls, redis_url, tmp_path)
    s.start_all()
    yield s
    s.stop_all()
