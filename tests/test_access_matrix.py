"""Who may open what: every menu view and API, per role, on both sites.

Allowed → 200; a signed-in role that may not → 403 (views and APIs alike);
anonymous → 302 to the login page for views, 401 for APIs.
"""
import pytest

from tests.helpers import api_token, bearer, logged_in

GPS_USERS = ["admin", "jingban", "shenhe", "jingban2", "daili", "chushen", "fuhe",
             "jianguan"]
EVERYONE = set(GPS_USERS)
FILERS = {"admin", "jingban", "jingban2"}
ADMIN = {"admin"}
# 中标结果变更备案: units' handlers file, reviewers review, 监管处 supervises.
# The agency: a 专家抽取申请 it filed comes back to it when returned.
TODO_USERS = {"admin", "jingban", "shenhe", "jingban2", "chushen", "fuhe", "daili"}
WINNER_CHANGE_READERS = TODO_USERS - {"daili"} | {"jianguan"}
# 信息发布: everyone concerned follows the 项目向导 (in their own scope).
NOTICE_READERS = EVERYONE

GPS_VIEWS = [
    ("/plans/list/", EVERYONE),
    ("/plans/add", FILERS),
    ("/plans/related/unit?q=局", EVERYONE),  # the 采购单位 filter, searched
    ("/organisations/list/", EVERYONE),
    ("/regions/list/", EVERYONE),
    ("/platforms/list/", ADMIN),
    ("/push-thresholds/list/", ADMIN),
    ("/users/list/", ADMIN),
    ("/roles/list/", ADMIN),
    ("/users/userinfo/", EVERYONE),
    ("/audit/list/", ADMIN),
    ("/audit/export", ADMIN),
    ("/audit/related/user?q=jing", ADMIN),
    ("/audit/add", set()),  # the audit trail is append-only, even for Admin
    ("/todo/", TODO_USERS),
    ("/winner-changes/list/", WINNER_CHANGE_READERS),
    ("/winner-changes/add", FILERS),
    ("/notice-publish/list/", NOTICE_READERS),
]
GPS_APIS = [
    ("/api/v1/plan/", EVERYONE),
    ("/api/v1/plan/_info", EVERYONE),
    ("/api/v1/organisation/", EVERYONE),
    ("/api/v1/_openapi", EVERYONE),
    ("/api/v1/todo/", TODO_USERS),
    ("/api/v1/winner_change/", WINNER_CHANGE_READERS),
    ("/api/v1/notice/", NOTICE_READERS),
]

# 合同管理: the unit files and reviews, the region's regulators query the 备案;
# a 代理机构 has no part in it and is told nothing exists (404), where every
# other role without the permission is refused (403).
CONTRACT_READERS = EVERYONE - {"daili"}
CONTRACT_URLS = [
    ("/contracts/list/", CONTRACT_READERS),
    ("/contracts/choose-project", FILERS),
    ("/contract-filings/list/", {"admin", "chushen", "fuhe", "jianguan"}),
    ("/api/v1/contract/", CONTRACT_READERS),
]


TRADING_USERS = ["admin", "daili", "keshi"]
TRADING_VIEWS = [
    ("/organisations/list/", set(TRADING_USERS)),
    ("/regions/list/", set(TRADING_USERS)),
    ("/users/list/", ADMIN),
    ("/audit/list/", ADMIN),
    ("/project-notices/list/", set(TRADING_USERS)),
]
TRADING_APIS = [("/api/v1/organisation/", set(TRADING_USERS))]


def _view_cases(users, views):
    return [(u, url, u in allowed) for url, allowed in views for u in users]


def _assert_view(client, url, allowed):
    response = client.get(url)
    if allowed:
        assert response.status_code == 200, f"{url} should open"
    else:
        assert response.status_code == 403, f"{url} should be refused"


@pytest.fixture(scope="module")
def gps_clients(gps_demo):
    return {u: logged_in(gps_demo, u) for u in GPS_USERS}


@pytest.fixture(scope="module")
def gps_tokens(gps_demo):
    client = gps_demo.test_client()
    return {u: api_token(client, u) for u in GPS_USERS}


@pytest.mark.parametrize("user,url,allowed", _view_cases(GPS_USERS, GPS_VIEWS))
def test_gps_views(gps_clients, user, url, allowed):
    _assert_view(gps_clients[user], url, allowed)


@pytest.mark.parametrize("user,url,allowed", _view_cases(GPS_USERS, GPS_APIS))
def test_gps_apis(gps_demo, gps_tokens, user, url, allowed):
    response = gps_demo.test_client().get(url, headers=bearer(gps_tokens[user]))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("url", [u for u, _ in GPS_VIEWS])
def test_gps_anonymous_sent_to_login(gps_demo, url):
    response = gps_demo.test_client().get(url)
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]


@pytest.mark.parametrize("url", [u for u, _ in GPS_APIS])
def test_gps_anonymous_api_needs_token(gps_demo, url):
    assert gps_demo.test_client().get(url).status_code == 401


@pytest.mark.parametrize("user,method,url,expected", [
    ("jingban", "post", "/api/v1/plan/", 201),
    ("shenhe", "post", "/api/v1/plan/", 403),
    ("daili", "post", "/api/v1/plan/", 403),
    ("chushen", "post", "/api/v1/plan/", 403),
    ("jianguan", "post", "/api/v1/plan/", 403),
    ("jingban", "post", "/api/v1/organisation/", 403),
    ("chushen", "post", "/api/v1/organisation/", 403),
])
def test_gps_api_writes(gps, user, method, url, expected):
    client = gps.test_client()
    token = api_token(client, user)
    body = {"project_name": "矩阵测试项目", "procurement_method": "询价", "category": "货物",
            "item_name": "打印纸", "budget": "1000.00", "fund_source": "财政性资金",
            "expected_date": "2026-12-31", "interconnected": False}
    response = getattr(client, method)(url, json=body, headers=bearer(token))
    assert response.status_code == expected, response.get_data(as_text=True)


@pytest.fixture(scope="module")
def trading_clients(pds_demo):
    return {u: logged_in(pds_demo, u) for u in TRADING_USERS}


@pytest.mark.parametrize("user,url,allowed", _view_cases(TRADING_USERS, TRADING_VIEWS))
def test_trading_views(trading_clients, user, url, allowed):
    _assert_view(trading_clients[user], url, allowed)


@pytest.mark.parametrize("user,url,allowed", _view_cases(TRADING_USERS, TRADING_APIS))
def test_trading_apis(pds_demo, user, url, allowed):
    client = pds_demo.test_client()
    response = client.get(url, headers=bearer(api_token(client, user)))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("url", ["/plans/list/", "/api/v1/plan/", "/platforms/list/",
                                 "/winner-changes/list/", "/api/v1/winner_change/",
                                 "/contracts/list/", "/api/v1/contract/"])
def test_trading_site_has_no_gps_pages(trading_clients, url):
    assert trading_clients["admin"].get(url).status_code == 404


def test_gps_users_do_not_exist_on_trading_site(pds_demo):
    from tests.helpers import login

    client = pds_demo.test_client()
    login(client, "jingban")
    response = client.get("/organisations/list/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


@pytest.mark.parametrize("user,url,allowed", _view_cases(GPS_USERS, CONTRACT_URLS))
def test_gps_contract_urls(gps_clients, gps_demo, gps_tokens, user, url, allowed):
    if url.startswith("/api/"):
        response = gps_demo.test_client().get(url, headers=bearer(gps_tokens[user]))
    else:
        response = gps_clients[user].get(url)
    expected = 200 if allowed else 404 if user == "daili" else 403
    assert response.status_code == expected, url


@pytest.mark.parametrize("url", [u for u, _ in CONTRACT_URLS])
def test_gps_contract_urls_anonymous(gps_demo, url):
    response = gps_demo.test_client().get(url)
    if url.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and "/login/" in response.headers["Location"]

