"""【审计日志】 names each object as people do: its kind in Chinese, its own number."""
import pytest

from app.extensions import db
from app.views.common.audit import ENTITY_NAMES

# Tables no one's action is recorded against: the log itself, the field
# history, search indexes, counters, FAB's permission plumbing, caches.
NEVER_AUDITED = {"AuditLog", "FieldChange", "GrantsVersion", "NoticeCodeSuffix",
                 "NoticeColumnCount", "NoticeTitleGram", "NoticeTitleTrigram", "Permission",
                 "PermissionView", "PlanNameGram", "ViewMenu", "RegisterUser",
                 "SequenceCounter", "SupervisionFlagTally", "SupervisionTally", "WebsiteVersion"}


def test_every_model_has_a_chinese_name_in_the_audit_log():
    """The walk found Contract, ExpertRequest and SupervisionProject in English."""
    import app.models  # noqa: F401 - every model mapped

    names = {mapper.class_.__name__ for mapper in db.Model.registry.mappers}
    assert sorted(names - NEVER_AUDITED - set(ENTITY_NAMES)) == []


@pytest.mark.parametrize("entity, key", [
    ("Contract", "HT410400-2026-00001"),  # its filing number, not its project's JY…
])
def test_a_filing_is_known_by_its_own_number(entity, key):
    from types import SimpleNamespace

    from app.audit import _key

    contract = SimpleNamespace(project_code="JY410400-2026-0005", filing_no=key, id=1)
    assert _key(contract) == key


@pytest.mark.parametrize("site", ["gps_demo", "pds_demo"])
def test_every_permission_a_site_grants_has_a_chinese_name(request, site):
    """角色 pages showed 专家抽取：can_draw, 项目监督：can_export, can_correct."""
    from app.views.common.security_views import PERMISSIONS

    app = request.getfixturevalue(site)
    with app.app_context():
        names = {pv.permission.name for role in app.appbuilder.sm.get_all_roles()
                 for pv in role.permissions}
    assert sorted(names - set(PERMISSIONS)) == []


@pytest.mark.parametrize("site, user, url, head", [
    ("gps_demo", "jingban", "/notice-publish/list/", "操作"),
])
def test_a_column_that_is_no_value_has_no_sort_link(request, site, user, url, head):
    """The walk found 操作 (the 项目向导 buttons) sorting the list by id."""
    import re

    from tests.helpers import logged_in

    page = logged_in(request.getfixturevalue(site), user).get(url).get_data(as_text=True)
    cell = re.search(rf"<th[^>]*>((?:(?!</th>).)*{head}(?:(?!</th>).)*)</th>", page, re.S)
    assert cell is not None and "<a" not in cell.group(1), cell and cell.group(1)


def test_the_committee_status_column_is_not_sorted_by_the_lots_id(pds_demo):
    from app.views.trading.committee import CommitteeView

    [view] = [v for v in pds_demo.appbuilder.baseviews if type(v) is CommitteeView]
    assert "id" in view.list_columns and "id" not in view.order_columns
