from tests.helpers import logged_in


def test_jingban_sees_plan_list(gps_demo):
    client = logged_in(gps_demo, "jingban")
    page = client.get("/plans/list/").get_data(as_text=True)
    assert "采购计划备案" in page
