"""FAB's page history (where a saved form goes back to) changes only when a
page is not already its last entry: a reload sends no new session cookie,
a new page is still recorded, and 返回 after a save still lands there."""
import pytest

from tests.helpers import logged_in

SESSION_COOKIE = "session_gps"


def history(client) -> list:
    with client.session_transaction() as session:
        return list(session.get("page_history", []))


def sets_session_cookie(response) -> bool:
    return any(header.startswith(SESSION_COOKIE + "=")
               for header in response.headers.getlist("Set-Cookie"))


@pytest.fixture
def client(site_factory):
    app = site_factory("gps")
    assert app.config["SESSION_COOKIE_NAME"] == SESSION_COOKIE
    return logged_in(app, "jingban")


def test_a_reloaded_list_leaves_the_session_cookie_alone(client):
    first = client.get("/plans/list/")
    assert first.status_code == 200
    assert sets_session_cookie(first)  # the list was new to the history
    assert history(client)[-1] == "http://localhost/plans/list/"
    again = client.get("/plans/list/")
    assert again.status_code == 200
    assert not sets_session_cookie(again)
    assert history(client)[-1] == "http://localhost/plans/list/"


def test_another_page_is_still_recorded_once(client):
    client.get("/plans/list/")
    client.get("/plans/list/?page_PlanView=1")
    client.get("/plans/list/?page_PlanView=1")
    assert history(client)[-2:] == ["http://localhost/plans/list/",
                                    "http://localhost/plans/list/?page_PlanView=1"]
    client.get("/plans/list/")
    assert history(client)[-3:] == ["http://localhost/plans/list/",
                                    "http://localhost/plans/list/?page_PlanView=1",
                                    "http://localhost/plans/list/"]
    # FAB keeps five.
    for page in range(2, 9):
        client.get(f"/plans/list/?page_PlanView={page}")
    assert len(history(client)) == 5
