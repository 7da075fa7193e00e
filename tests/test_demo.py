"""The demo: idempotent, each site's data of its own region, a project at
every stage (`flask demo load --stages`), and a quiet start-up."""
import logging
import os

import pytest
from sqlalchemy import func, inspect

from tests.helpers import logged_in

PDS_UNITS = ("平顶山", "郏县", "鲁山县", "宝丰县", "叶县")


def _row_counts(app) -> dict:
    from app.extensions import db

    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        return {t: db.session.execute(
            db.select(func.count()).select_from(db.table(t))).scalar() for t in tables}


def test_demo_load_twice_changes_nothing(site_factory):
    from app import demo

    for key in ("gps", "pds", "fc"):
        app = site_factory(key)
        before = _row_counts(app)
        with app.app_context():
            demo.load(app)
        assert _row_counts(app) == before, key


def test_each_website_shows_only_its_own_region(pds_demo, site_factory):
    """Item 7: 方城县's website showed 平顶山's made-up notices."""
    from app.extensions import db
    from app.models import PublishedNotice

    fc = site_factory("fc")
    for app, code, foreign in ((pds_demo, "410400", ("方城",)), (fc, "411322", PDS_UNITS)):
        with app.app_context():
            regions = {r for (r,) in db.session.query(PublishedNotice.region_code).distinct()}
        assert regions == {code}
        client = app.test_client()
        for url in ("/web/", "/web/caigou/", "/web/jieguo/", "/web/notices/1"):
            page = client.get(url).get_data(as_text=True)
            for word in foreign:
                assert word not in page, (code, url, word)
    assert "方城县" in fc.test_client().get("/web/").get_data(as_text=True)


def test_trading_home_links_to_its_website(pds_demo):
    page = pds_demo.test_client().get("/").get_data(as_text=True)
    assert 'href="/web/"' in page


def test_roles_sync_is_quiet_by_default(site_factory, caplog):
    """FAB's "Refused to delete permission view" lines only at DEBUG; one
    summary line from `flask roles sync`."""
    from app.security import FAB_SECURITY_LOGGER

    app = site_factory("gps")
    with caplog.at_level(logging.INFO):
        result = app.test_cli_runner().invoke(args=["roles", "sync"])
    assert result.exit_code == 0, result.output
    assert not [r for r in caplog.records if str(r.msg).startswith("Refused to delete")]
    assert "Refused to delete" not in result.output
    assert "permission(s) kept because a role holds them" in result.output
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger=FAB_SECURITY_LOGGER):
        app.test_cli_runner().invoke(args=["roles", "sync"])
    shown = [r for r in caplog.records if str(r.msg).startswith("Refused to delete")]
    assert shown and {r.levelno for r in shown} == {logging.DEBUG}


# --- the stage projects ----------------------------------------------------------------

@pytest.fixture(scope="module")
def stages(templates, databases, redis_url):
    """The three sites after `flask demo load --stages` (run from GPS, which
    finds the trading sites' databases in the environment, as `make run`
    does); yields the sites and a function that runs the command again."""
    from app import demo_stages
    from tests.conftest import _dispose, _site

    apps = {key: _site(key, templates, databases, redis_url) for key in ("gps", "pds", "fc")}
    env = {"DATABASE_URL_GPS": apps["gps"].config["SQLALCHEMY_DATABASE_URI"],
           "DATABASE_URL_TRADING_410400": apps["pds"].config["SQLALCHEMY_DATABASE_URI"],
           "DATABASE_URL_TRADING_411322": apps["fc"].config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": redis_url}

    def load():
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            result = apps["gps"].test_cli_runner().invoke(args=["demo", "load", "--stages"])
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        assert result.exit_code == 0, result.output
        assert "stage_projects=12" in result.output

    load()
    yield demo_stages.Sites(apps["gps"], {"410400": apps["pds"], "411322": apps["fc"]}), load
    for app in apps.values():
        _dispose(app)


def test_stage_projects_twice_change_nothing(stages):
    sites, load = stages
    before = [_row_counts(app) for app in sites.all()]
    load()
    assert [_row_counts(app) for app in sites.all()] == before


@pytest.mark.parametrize("code", ["410400", "411322"])
def test_every_stage_exists_on_both_sides(stages, code):
    from app.demo_stages import PROJECTS, REGIONS
    from app.extensions import db
    from app.models import Notice, OutboxMessage, Plan, ProjectReplica, TradingProject, WinnerChange

    gps, trading = stages[0].gps, stages[0].trading[code]
    expected = {"待受理审核": ("待受理审核", "未受理", None), "受理通过": ("受理通过", "受理通过", ()),
                "采购公告": ("受理通过", "公告已发布", ("变更公告", "采购公告")),
                "已开标": ("受理通过", "已开标", ("采购公告",)),
                "结果公告": ("受理通过", "评标结束", ("采购公告", "结果公告")),
                "中标结果变更": ("受理通过", "评标结束", ("采购公告", "结果公告"))}
    for spec in PROJECTS[code]:
        state, stage, notices = expected[spec.stage]
        with gps.app_context():
            plan = db.session.query(Plan).filter_by(project_name=spec.name).one()
            assert (plan.state, plan.pushed_to, plan.push_state) == ("已备案", code, "已推送")
            assert plan.unit.region_code.startswith(code[:4])
            replica = db.session.query(ProjectReplica).filter_by(plan_id=plan.id).one_or_none()
            replica = replica and (replica.stage, [lot.code for lot in replica.lots])
            published = sorted(n.notice_type for n in db.session.query(Notice).filter_by(
                plan_id=plan.id, state="已发布", sync_state="已同步"))
            change = db.session.query(WinnerChange).filter_by(plan_id=plan.id).one_or_none()
            plan_no = plan.plan_no
        with trading.app_context():
            project = db.session.query(TradingProject).filter_by(plan_no=plan_no).one()
            assert (project.state, project.stage) == (state, stage), spec.name
            assert project.region_code == code
            lots = [lot.code for lot in project.lots]
        if notices is None:
            assert replica is None
        else:
            assert replica == (stage, lots)
            assert published == sorted(notices)
        if spec.stage == "中标结果变更":
            assert change.state == "待单位审核"
            assert change.original_supplier == REGIONS[code].bidders[0][0]
        else:
            assert change is None
    for app in (gps, trading):
        with app.app_context():
            assert not db.session.query(OutboxMessage).filter(
                OutboxMessage.state != "已推送").count()


@pytest.mark.parametrize("code, unit_user, reviewer", [("410400", "jingban", "shenhe"),
                                                      ("411322", "jingban2", "shenhe2")])
def test_every_stage_page_opens(stages, code, unit_user, reviewer):
    from app.demo_stages import PROJECTS
    from app.extensions import db
    from app.models import Notice, OpeningBid, Plan, PublishedNotice, TradingProject, WinnerChange

    gps, trading = stages[0].gps, stages[0].trading[code]
    clerk = logged_in(gps, unit_user)
    for spec in PROJECTS[code]:
        with gps.app_context():
            plan = db.session.query(Plan).filter_by(project_name=spec.name).one()
            plan_id, notice_ids = plan.id, [n.id for n in db.session.query(Notice).filter_by(
                plan_id=plan.id)]
        page = clerk.get(f"/notice-publish/wizard/{plan_id}")
        assert page.status_code == 200 and spec.name in page.get_data(as_text=True)
        for notice_id in notice_ids:
            assert clerk.get(f"/notice-publish/notice/{notice_id}").status_code == 200
    with gps.app_context():
        filing = db.session.query(WinnerChange).filter_by(region_code=code).one()
        filing_id, filing_no = filing.id, filing.filing_no
    assert clerk.get(f"/winner-changes/show/{filing_id}").status_code == 200
    todo = logged_in(gps, reviewer).get("/todo/").get_data(as_text=True)
    assert filing_no in todo

    with trading.app_context():
        waiting = db.session.query(TradingProject).filter_by(state="待受理审核").one()
        opened = db.session.query(OpeningBid).count()
        titles = [t for (t,) in db.session.query(PublishedNotice.title).filter(
            PublishedNotice.notice_key.like("JY%"))]
    assert opened == 9  # three projects past the opening, three bids each
    assert waiting.project_code in logged_in(trading, "keshi").get("/todo/").get_data(as_text=True)
    agency = logged_in(trading, "daili")
    for url in ("/acceptance/list/", "/lots/list/", "/lot-fees/list/", "/lot-settings/list/",
                "/scoring-items/list/", "/compliance-items/list/", "/opening-bids/list/",
                "/project-stages/list/", "/project-notices/list/", "/received-plans/list/"):
        assert agency.get(url).status_code == 200, url
    website = trading.test_client().get("/web/jieguo/").get_data(as_text=True)
    assert len(titles) == 7 and all(t in website for t in titles if "结果" in t)
    # The open project's 变更公告 waits for the agency, with GPS's times beside it.
    with trading.app_context():
        from app.models import TimeChange
        change = db.session.query(TimeChange).one()
        change_id, gps_deadline = change.id, change.gps_bid_deadline
        assert change.state == "待调整" and change.new_bid_deadline == gps_deadline
    edit = agency.get(f"/time-changes/edit/{change_id}").get_data(as_text=True)
    assert 'id="gps-times-table"' in edit and f"{gps_deadline:%Y-%m-%d %H:%M}" in edit


def test_every_stage_reads_in_chinese_as_every_role(stages):
    """The zh crawl (tests/test_zh_crawl.py) again, over the stage demo on all
    three sites: pages the plain demo never reaches (bids, results, a winner
    change in review, 方城县's projects) must read in Chinese too."""
    from app.demo import GPS_USERS, TRADING_USERS
    from tests.test_zh_crawl import RAW, crawl, english_words, one_user_per_role, visible_text

    sites = stages[0]
    cases = [(sites.gps, user) for _role, user in one_user_per_role(GPS_USERS)]
    for code, app in sites.trading.items():
        cases += [(app, user) for _role, user in one_user_per_role(TRADING_USERS[code])]
    problems = []
    for app, username in cases:
        pages, broken = crawl(logged_in(app, username))
        where = f"{app.config.get('PLATFORM_CODE') or 'gps'} {username}"
        problems += [f"{where} {url}: HTTP {status}" for url, status in broken]
        for url, html in pages.items():
            if words := english_words(html)[0]:
                problems.append(f"{where} {url}: {', '.join(sorted(words))}")
            if hits := RAW.findall(visible_text(html)):
                problems.append(f"{where} {url}: raw {hits}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("code", ["410400", "411322"])
def test_the_stage_projects_are_supervised(stages, code):
    """`make run` shows a populated 【项目监督】: each stage project's row is
    where the project is, and its 中标结果变更 is a 预警."""
    from app.demo_stages import PROJECTS
    from app.extensions import db
    from app.models import Plan, ProjectFlag, SupervisionProject

    # 已开标: the demo seats its committee (committee.formed), so 评标 has begun.
    expected = {"待受理审核": "计划备案", "受理通过": "进场受理", "采购公告": "采购公告",
                "已开标": "评标", "结果公告": "结果公告", "中标结果变更": "结果公告"}
    gps = stages[0].gps
    with gps.app_context():
        for spec in PROJECTS[code]:
            plan = db.session.query(Plan).filter_by(project_name=spec.name).one()
            row = db.session.get(SupervisionProject, plan.id)
            assert row.stage == expected[spec.stage], spec.name
            flags = {f for (f,) in db.session.query(ProjectFlag.flag_id).filter_by(plan_id=plan.id)}
            assert ("YJ14" in flags) == (spec.stage == "中标结果变更"), (spec.name, flags)
