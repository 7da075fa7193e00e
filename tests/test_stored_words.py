"""Stored values (states, kinds, methods: the models' enum columns) are the
data's own, in Chinese; pages show them in the reader's language."""
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import Enum

from tests.helpers import in_english, logged_in


def _enum_values():
    from app.extensions import db

    return {value: f"{mapper.class_.__name__}.{column.name}"
            for mapper in db.Model.registry.mappers for column in mapper.columns
            if isinstance(column.type, Enum) for value in column.type.enums}


def _steps():
    """(chain, step name) of every approval chain in app/workflows."""
    import importlib
    import pkgutil

    import app.workflows as workflows

    for info in pkgutil.iter_modules(workflows.__path__):
        for name, chain in vars(importlib.import_module(f"app.workflows.{info.name}")).items():
            steps = getattr(chain, "steps", None)
            if isinstance(steps, dict):
                yield from ((name, step) for step in steps.values())


def test_every_stored_value_is_a_word_with_its_english(gps):
    from app.views.common.stored_words import WORDS, translated

    values = _enum_values()
    assert len(values) > 90
    values.update({step: f"{name}.steps" for name, step in _steps()})
    assert not {value: where for value, where in values.items() if value not in WORDS}
    with gps.test_request_context(), force_locale("en"):
        english = translated()
        untranslated = [value for value in WORDS if english[value] == value]
        assert not untranslated
        assert not [value for value in WORDS if re.search(r"[\u4e00-\u9fff]", english[value])]
    with gps.test_request_context(), force_locale("zh"):
        assert all(translated()[value] == value for value in WORDS)


def _cells(page):
    return {re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)}


@pytest.mark.parametrize("page", ["list", "show"])
def test_a_list_and_a_show_page_say_the_stored_values_in_the_readers_language(gps_demo, page):
    from app.extensions import db
    from app.models import Plan
    from app.views.common.stored_words import translated

    with gps_demo.app_context():
        plan = db.session.query(Plan).filter_by(
            project_name="平顶山市教育局多媒体教室设备采购").one()
        stored = [plan.state, plan.procurement_method, plan.category]
        if page == "show":
            stored.append(plan.fund_source)
        path = "/plans/list/" if page == "list" else f"/plans/show/{plan.id}"
    client = logged_in(gps_demo, "jingban")
    zh = _cells(client.get(path).get_data(as_text=True))
    with in_english(client):
        en = _cells(client.get(path).get_data(as_text=True))
    with gps_demo.test_request_context(), force_locale("en"):
        english = translated()
        for value in stored:
            assert value in zh and value not in en, (value, en)
            assert english[value] in en, (english[value], en)


def test_choice_boxes_offer_the_stored_values_under_the_readers_words(gps_demo):
    """The add form's 采购方式 and the list's 搜索 filter: each option's text
    in the reader's language, its value the stored one (what is posted,
    filtered on and saved does not change)."""
    client = logged_in(gps_demo, "jingban")
    form_zh = client.get("/plans/add").get_data(as_text=True)
    list_zh = client.get("/plans/list/").get_data(as_text=True)
    with in_english(client):
        form_en = client.get("/plans/add").get_data(as_text=True)
        list_en = client.get("/plans/list/").get_data(as_text=True)
    assert '<option value="公开招标">公开招标</option>' in form_zh
    assert '<option value="公开招标">Open tendering</option>' in form_en
    assert '<option value="财政性资金">Fiscal funds</option>' in form_en
    # The search form's fields, as JSON for FAB's filter script.
    assert r'\u003eGoods\u003c/option\u003e' in list_en
    assert r'\u003e\u8d27\u7269\u003c/option\u003e' in list_zh  # 货物


def test_the_queue_and_the_review_say_steps_and_states_in_english(gps):
    """【待办任务】's 当前环节, and the review page's state and 审批记录, in
    the reader's language."""
    from tests.contract_helpers import add_contract, lot_codes, resulted_project, saved_id, submit

    _, code = resulted_project(gps)
    jingban = logged_in(gps, "jingban")
    pk = saved_id(add_contract(jingban, code, {lot_codes(gps, code)[0]: "880000.00"}))
    submit(jingban, pk)
    shenhe = logged_in(gps, "shenhe")
    assert "单位内部审核" in shenhe.get("/todo/").get_data(as_text=True)
    with in_english(shenhe):
        todo = shenhe.get("/todo/").get_data(as_text=True)
        review = shenhe.get(f"/contracts/review/{pk}").get_data(as_text=True)
    assert "Unit&#39;s internal review" in todo and "单位内部审核" not in todo
    assert "Awaiting unit review" in review and "待单位审核" not in review
    assert "Handler submits" in review and "经办岗提交" not in review


def test_hand_written_pages_say_stored_values_in_english_too(gps_demo):
    """Pages written by hand call word() (or give a field English choices):
    the calendar's year state and its form, the expert form's 状态."""
    from tests.test_holidays import travel

    with travel("2026-11-30"):
        with in_english(logged_in(gps_demo, "admin")) as admin:
            year = admin.get("/holidays/2026").get_data(as_text=True)
            expert_form = admin.get("/experts/add").get_data(as_text=True)
    assert 'id="year-state">Official' in year
    assert '<option value="暂定" >Provisional</option>' in year
    assert re.search(r'<option[^>]*value="正常"[^>]*>Active</option>', expert_form)
