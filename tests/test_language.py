"""Chinese by default, English on request, menus named as in the manuals."""
import pytest

from tests.helpers import logged_in


def test_chinese_by_default_with_the_manuals_names(gps_demo):
    page = logged_in(gps_demo, "jingban").get("/plans/list/").get_data(as_text=True)
    for name in ("计划管理", "采购计划备案", "增加", "搜索"):
        assert name in page


def test_english_is_selectable(gps_demo):
    client = logged_in(gps_demo, "jingban")
    client.get("/lang/en")
    page = client.get("/plans/list/").get_data(as_text=True)
    assert "Plan Management" in page and "Plan Filing" in page
    assert "Search" in page
    client.get("/lang/zh")
    assert "计划管理" in client.get("/plans/list/").get_data(as_text=True)


def test_the_sites_name_follows_the_language(gps_demo, pds_demo):
    """The navbar's brand and every page title read 政府采购系统 or
    公共资源交易平台 in English too: the name was a plain string. In
    English it is short (站点名称), leaving the menus their row."""
    import re

    for app, user, url, chinese, english in (
            (gps_demo, "jingban", "/plans/list/", "政府采购系统", "Gov Procurement"),
            (pds_demo, "keshi", "/todo/", "公共资源交易平台", "Trading Platform")):
        client = logged_in(app, user)
        assert chinese in client.get(url).get_data(as_text=True)
        client.get("/lang/en")
        page = client.get(url).get_data(as_text=True)
        brand = re.search(r'class="navbar-brand">\s*<a href="[^"]*">(.*?)</a>', page, re.S)
        assert brand and brand.group(1).strip() == english, page[:5000]
        assert chinese not in page
        assert client.get("/api/v1/_openapi").json["info"]["title"] == english
        client.get("/lang/zh")
        assert chinese in client.get(url).get_data(as_text=True)


def test_add_form_in_chinese(gps_demo):
    page = logged_in(gps_demo, "jingban").get("/plans/add").get_data(as_text=True)
    for label in ("项目名称", "采购方式", "采购类别", "预算金额（元）", "交易平台", "是否互联互通",
                  "框架协议采购", "竞争性磋商", "保存"):
        assert label in page


def test_every_message_has_an_english_translation(tmp_path):
    """Chinese is the source language; each message shown must exist in English."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "lazy_gettext", "-k", "_", "-o", str(pot), "."],
                   cwd=root, check=True, capture_output=True)
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    with (root / "translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        translated = {m.id for m in read_po(po) if m.id and m.string}
    assert sorted(wanted - translated) == []


def test_templates_follow_a_forced_locale_within_a_request(gps_demo):
    # app/i18n.py keeps a catalogue per locale; the locale is still asked per string.
    from flask import render_template_string
    from flask_babel import force_locale

    with gps_demo.test_request_context("/"):
        assert render_template_string("{{ _('计划管理') }}") == "计划管理"
        with force_locale("en"):
            assert render_template_string("{{ _('计划管理') }}") == "Plan Management"
        assert render_template_string("{{ _('计划管理') }}") == "计划管理"


def test_the_quick_locale_is_flask_babels(gps_demo):
    """app.i18n.current_locale answers what Flask-Babel's get_locale does:
    outside a request, before and after the locale is settled, under
    force_locale and after a refresh()."""
    from flask_babel import force_locale, get_locale, refresh

    from app.i18n import current_locale

    assert current_locale() is None and get_locale() is None
    with gps_demo.test_request_context("/", headers={"Accept-Language": "en"}):
        first = current_locale()
        assert first == get_locale()
        with force_locale("en"):
            assert str(current_locale()) == str(get_locale()) == "en"
        with force_locale("zh"):
            assert str(current_locale()) == str(get_locale()) == "zh"
        assert current_locale() == get_locale() == first
        refresh()
        assert current_locale() == get_locale() == first


@pytest.mark.parametrize("source", [
    "{{ _('计划管理') }}", "{{ _('Search') }}", "{{ _('100%% 完成') }}", "{{ _('<i>') }}",
    "{{ _('共 %(count)s 项：', count='<b>') }}", "{{ gettext('计划管理') }}",
    "{% trans %}计划管理{% endtrans %}", "{% trans n='<3>' %}共 {{ n }} 项{% endtrans %}",
    "{% autoescape false %}{{ _('<i>') }}{{ _('共 %(count)s 项：', count='<b>') }}{% endautoescape %}",
])
def test_templates_translate_as_jinjas_own_newstyle_gettext(gps_demo, source):
    """app/i18n.py calls its _() directly and skips Markup's "%" when there
    is nothing to format: what a template says is what Jinja's own newstyle
    gettext says, in either language, escaped or not."""
    from flask_babel import force_locale, get_translations
    from jinja2 import Environment

    theirs = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    with gps_demo.test_request_context("/"):
        for language in ("zh", "en"):
            with force_locale(language):
                theirs.install_gettext_translations(get_translations(), newstyle=True)
                assert gps_demo.jinja_env.from_string(source).render() == \
                    theirs.from_string(source).render(), language


def test_every_audit_action_has_an_english_name():
    """Actions are stored in Chinese (record(user, "专家补抽", …)) and shown
    through gettext on 审计日志 and 项目监督's timeline: each written out in
    the code needs its English, or it stays Chinese there."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    actions = {action for path in (root / "app").rglob("*.py")
               for action in re.findall(r'\brecord\([\w.]+, "([^"{}]+)"', path.read_text())}
    assert "专家补抽" in actions and len(actions) > 30, actions
    with (root / "translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id}
    assert sorted(action for action in actions if not english.get(action)) == []
