"""Notice forms carry over what is already known, so nothing is typed twice:
the organisation records (采购人/采购代理机构 名称、地址、联系方式), the plan's
contact and the project's previous notice. No placeholder contact; a title
that does not double words; 资格要求 numbered once."""
import datetime as dt

import pytest

from app.rules.notice_text import ARTICLE_22, first_number, notice_title, qualification_html
from tests.helpers import logged_in
from tests.notice_helpers import (announcement_fields, draft_id, form_values, notice_row,
                                  plan_of, push_lots, start_draft, submit)

TODAY = dt.date.today()


# --- the title --------------------------------------------------------------------------

@pytest.mark.parametrize("name, suffix, title", [
    ("平顶山市教育局多媒体教室设备采购", "采购公告", "平顶山市教育局多媒体教室设备采购公告"),
    ("平顶山市教育局校园安保服务", "采购公告", "平顶山市教育局校园安保服务采购公告"),
    ("平顶山市教育局多媒体教室设备采购", "变更公告", "平顶山市教育局多媒体教室设备采购变更公告"),
    ("方城县人民医院医用耗材采购", "中标（成交）结果公告",
     "方城县人民医院医用耗材采购中标（成交）结果公告"),
    ("办公用品采购项目", "采购公告", "办公用品采购项目采购公告"),
    ("道路照明设施变更", "变更公告", "道路照明设施变更公告"),
    ("  末尾有空格的设备采购 ", "采购公告", "末尾有空格的设备采购公告"),
    ("电梯维保采", "采购公告", "电梯维保采采购公告"),  # one character is chance
])
def test_the_title_does_not_say_a_word_twice(name, suffix, title):
    assert notice_title(name, suffix) == title


def test_a_drafts_title_is_made_without_doubling(gps):
    plan_id = plan_of(gps)  # 平顶山市教育局多媒体教室设备采购
    code = push_lots(gps, plan_id)
    notice_id = draft_id(start_draft(logged_in(gps, "jingban"), plan_id, lots=[f"{code}001"]))
    assert notice_row(gps, notice_id).title == "平顶山市教育局多媒体教室设备采购公告"


# --- 申请人的资格要求 -------------------------------------------------------------------------

LEAD = f"<p>1. {ARTICLE_22}</p>"


@pytest.mark.parametrize("text, shown", [
    # Already numbered from 1, in any common style: kept as it is.
    ("<p>1. 满足政府采购法第二十二条规定；</p><p>2. 无</p>",
     "<p>1. 满足政府采购法第二十二条规定；</p><p>2. 无</p>"),
    ("<p>1.具有独立法人资格</p><p>2.具备相关资质</p>",
     "<p>1.具有独立法人资格</p><p>2.具备相关资质</p>"),
    ("1、具有独立承担民事责任的能力", "1、具有独立承担民事责任的能力"),
    ("（一）具有良好的商业信誉", "（一）具有良好的商业信誉"),
    ("(一) 具有良好的商业信誉", "(一) 具有良好的商业信誉"),
    ("一、具有良好的商业信誉", "一、具有良好的商业信誉"),
    ("<p>（1）具有良好的商业信誉</p>", "<p>（1）具有良好的商业信誉</p>"),
    ("<p>&nbsp;1）具有良好的商业信誉</p>", "<p>&nbsp;1）具有良好的商业信誉</p>"),
    ("<ol><li>具有独立承担民事责任的能力</li></ol>",
     "<ol><li>具有独立承担民事责任的能力</li></ol>"),
    # Continuing after the statutory item: item 1 added, in the user's style.
    ("<p>2. 落实政府采购政策需满足的资格要求：无</p>",
     f"{LEAD}<p>2. 落实政府采购政策需满足的资格要求：无</p>"),
    ("2、本项目的特定资格要求：无", f"<p>1、{ARTICLE_22}</p>2、本项目的特定资格要求：无"),
    ("（二）本项目的特定资格要求：无", f"<p>（一）{ARTICLE_22}</p>（二）本项目的特定资格要求：无"),
    ("二、特定资格要求：无", f"<p>一、{ARTICLE_22}</p>二、特定资格要求：无"),
    ('<ol start="2"><li>特定资格要求：无</li></ol>',
     f'{LEAD}<ol start="2"><li>特定资格要求：无</li></ol>'),
    # Not numbered: the statutory item comes first.
    ("<p>具有医疗器械经营许可证</p>", f"{LEAD}<p>具有医疗器械经营许可证</p>"),
    ("1.5米以上的展台由供应商自备", f"{LEAD}1.5米以上的展台由供应商自备"),
    ("", LEAD),
    (None, LEAD),
    # States 第二十二条 itself without a number: nothing added.
    ("<p>满足《政府采购法》第二十二条规定</p>", "<p>满足《政府采购法》第二十二条规定</p>"),
])
def test_qualification_is_numbered_once(text, shown):
    assert qualification_html(text) == shown


@pytest.mark.parametrize("text, found", [
    ("<p>3. 其他</p>", (3, "1.")), ("十一、其他", (11, "一、")), ("（十二）其他", (12, "（一）")),
    ("1.5米", None), ("<p>无</p>", None),
])
def test_the_first_item_number_and_its_style(text, found):
    assert first_number(text) == found


def test_the_notice_shows_the_users_numbered_requirements_once(gps):
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    own = "<p>1. 满足《中华人民共和国政府采购法》第二十二条规定；</p><p>2. 本项目的特定资格要求：无</p>"
    submit(client, notice_id, {**announcement_fields(), "qualification_html": own},
           action="save")
    preview = client.get(f"/notice-publish/notice/{notice_id}/preview").get_data(as_text=True)
    assert preview.count("第二十二条") == 1 and preview.count("1. 满足") == 1


# --- carried over -----------------------------------------------------------------------

def _set_organisation(app, name, **values):
    from app.extensions import db
    from app.models import Organisation

    with app.app_context():
        org = db.session.query(Organisation).filter_by(name=name).one()
        for column, value in values.items():
            setattr(org, column, value)
        db.session.commit()


def test_a_new_notice_is_filled_from_the_organisation_records_and_the_plan(gps):
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "daili")
    notice_id = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    page = client.get(f"/notice-publish/notice/{notice_id}/edit").get_data(as_text=True)
    values = form_values(page)
    assert values["purchaser_name"] == "平顶山市教育局"
    assert values["purchaser_address"] == "平顶山市新华区建设路中段1号"
    assert values["purchaser_phone"] == "张经办 0375-2661001"
    assert values["agency_name"] == "河南中原招标代理有限公司"
    assert values["agency_address"] == "平顶山市湛河区开源路8号"
    assert values["agency_phone"] == "赵代理 0375-7661004"
    assert values["project_contact"] == "张经办"  # the plan's contact
    assert values["project_phone"] == "0375-2661001"
    assert "0000000" not in page and "联系人 0375" not in page
    assert 'id="contacts-help"' in page and 'id="qualification-help"' in page


def test_a_changes_first_publication_needs_no_retyping(gps):
    """The unit's record has no address: the user types it once, in the 采购公告;
    the 变更公告 takes it over and is published with only its own fields."""
    _set_organisation(gps, "平顶山市教育局", address=None)
    _set_organisation(gps, "河南中原招标代理有限公司", address=None)
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    first = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    typed = {**announcement_fields(), "purchaser_address": "平顶山市新华区建设路1号",
             "agency_address": "平顶山市湛河区开源路8号", "purchaser_phone": "张老师 0375-1234567",
             "other_html": "<p>本项目落实节能环保政策。</p>"}
    published = submit(client, first, typed,
                       lots={f"{code}001": {"requirement_html": "<p>设备</p>"}})
    assert published.status_code == 302, published.get_data(as_text=True)[-2000:]

    change = draft_id(start_draft(client, plan_id, kind="变更公告", lots=[f"{code}001"],
                                  original=first))
    form = client.get(f"/notice-publish/notice/{change}/edit").get_data(as_text=True)
    values = form_values(form)
    assert values["purchaser_address"] == "平顶山市新华区建设路1号"
    assert values["agency_address"] == "平顶山市湛河区开源路8号"
    assert values["purchaser_phone"] == "张老师 0375-1234567"
    assert values["title"] == "平顶山市教育局多媒体教室设备采购变更公告"
    # What the user adds: the change itself, nothing else.
    values.update(change_items="文件", change_html="<p>技术参数第3项修改为……</p>")
    response = submit(client, change, values)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    notice = notice_row(gps, change)
    assert notice.state == "已发布" and notice.purchaser_address == "平顶山市新华区建设路1号"
    assert notice.other_html is None  # 其他补充事宜 is the change's own


def test_a_second_announcement_takes_over_the_first_ones_common_parts(gps):
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    first = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    typed = {**announcement_fields(), "project_contact": "李项目", "project_phone": "13800000001"}
    assert submit(client, first, typed, lots={f"{code}001": {"requirement_html": "<p>设备</p>"}}
                  ).status_code == 302
    second = draft_id(start_draft(client, plan_id, lots=[f"{code}002"]))
    values = form_values(client.get(f"/notice-publish/notice/{second}/edit")
                         .get_data(as_text=True))
    for column in ("performance_period", "doc_place", "doc_method", "open_place",
                   "project_contact", "project_phone", "purchaser_address"):
        assert values[column] == typed[column], column
    assert "落实政府采购政策" in values["qualification_html"]
    assert values["doc_start"] == "" and values["bid_deadline"] == ""  # each its own times


def test_a_different_agency_does_not_inherit_the_previous_agencys_contacts(gps):
    from sqlalchemy import text

    from app.extensions import db
    from app.models import Organisation

    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    client = logged_in(gps, "jingban")
    first = draft_id(start_draft(client, plan_id, lots=[f"{code}001"]))
    assert submit(client, first, {**announcement_fields(), "agency_phone": "旧代理 0375-1"},
                  lots={f"{code}001": {"requirement_html": "<p>设备</p>"}}).status_code == 302
    with gps.app_context():  # as if the earlier notice had named another agency
        other = db.session.query(Organisation).filter_by(name="南阳宛城项目管理有限公司").one()
        db.session.execute(text("UPDATE notice SET agency_id = :agency WHERE id = :id"),
                           {"agency": other.id, "id": first})
        db.session.commit()
    second = draft_id(start_draft(client, plan_id, lots=[f"{code}002"]))
    assert notice_row(gps, second).agency_phone == "赵代理 0375-7661004"


def test_the_demo_organisations_carry_real_contacts(gps):
    from app.extensions import db
    from app.models import Organisation, Plan

    with gps.app_context():
        for org in db.session.query(Organisation):
            assert org.address and org.contact and org.phone, org.name
            assert org.contact != "联系人" and "0000000" not in org.phone, org.name
        assert not db.session.query(Plan).filter(Plan.phone.like("%0000000%")).count()


def test_loading_the_demo_again_replaces_the_old_placeholders_only(gps):
    from app import demo
    from app.extensions import db
    from app.models import Organisation

    _set_organisation(gps, "平顶山市教育局", contact="联系人", phone="0375-0000000")
    _set_organisation(gps, "方城县人民医院", phone="0377-60000001")  # an administrator's
    with gps.app_context():
        demo.load(gps)
        unit = db.session.query(Organisation).filter_by(name="平顶山市教育局").one()
        assert (unit.contact, unit.phone) == ("张经办", "0375-2661001")
        hospital = db.session.query(Organisation).filter_by(name="方城县人民医院").one()
        assert hospital.phone == "0377-60000001"
