from tests.helpers import logged_in


def test_jingban_sees_plan_list(gps_demo):
    client = logged_in(gps_demo, "jingban")
    page = client.get("/plans/list/").get_data(as_text=True)
    assert "采购计划备案" in page


def test_pages_name_their_icon_so_browsers_do_not_ask_for_favicon_ico(site_factory):
    from tests.helpers import logged_in

    app = site_factory("gps")
    page = logged_in(app, "jingban").get("/plans/list/").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
    icon = app.test_client().get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
