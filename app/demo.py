"""Demo data for `flask demo load`: the same on every run (idempotent).

Credit codes are built with their GB 32100 check character; the password
meets FAB's default complexity rule, which stays on.
"""
import base64
import datetime as dt
import fcntl
import json
import os
import secrets
from decimal import Decimal
from pathlib import Path

from .extensions import db
from .models import Expert, Organisation, Peer, PeerKey, Plan, Platform, PushThreshold, Region
from .rules.credit_code import complete

DEMO_PASSWORD = "DemoPass@2026"

REGIONS = [  # code, name, level, parent
    ("410000", "河南省", "省级", None),
    ("410100", "郑州市", "市级", "410000"),
    ("410400", "平顶山市", "市级", "410000"),
    ("410421", "宝丰县", "县级", "410400"),
    ("410422", "叶县", "县级", "410400"),
    ("411300", "南阳市", "市级", "410000"),
    ("411322", "方城县", "县级", "411300"),
    ("411321", "南召县", "县级", "411300"),
]

ORGS = [  # key, name, type, region, 17-char prefix of the credit code, address, contact, phone
    ("pds_unit", "平顶山市教育局", "采购单位", "410400", "11410400MB0000001",
     "平顶山市新华区建设路中段1号", "张经办", "0375-2661001"),
    ("pds_unit2", "平顶山市卫生健康委员会", "采购单位", "410400", "11410400MB0000002",
     "平顶山市新华区光明路南段6号", "刘科长", "0375-2661002"),
    ("fc_unit", "方城县人民医院", "采购单位", "411322", "12411322MB0000003",
     "方城县凤瑞路与释之路交叉口", "王经办", "0377-67221003"),
    ("agency", "河南中原招标代理有限公司", "代理机构", "410400", "91410400MA0000004",
     "平顶山市湛河区开源路8号", "赵代理", "0375-7661004"),
    ("agency2", "南阳宛城项目管理有限公司", "代理机构", "411300", "91411300MA0000005",
     "南阳市宛城区仲景路168号", "郑代理", "0377-63161005"),
    ("pds_reg", "平顶山市财政局", "监管部门", "410400", "11410400MB0000006",
     "平顶山市新华区中兴路与建设路交叉口", "政府采购监管科", "0375-2661006"),
    ("fc_reg", "方城县财政局", "监管部门", "411322", "11411322MB0000007",
     "方城县建设路中段", "政府采购股", "0377-67221007"),
    ("prov_reg", "河南省财政厅", "监管部门", "410000", "11410000MB0000008",
     "郑州市金水区纬二路8号", "政府采购监督管理处", "0371-65808008"),
    ("pds_centre", "平顶山市公共资源交易中心", "交易中心", "410400", "12410400MB0000009",
     "平顶山市新城区长安大道与平安大道交叉口", "吴科室", "0375-2661009"),
    ("fc_centre", "方城县公共资源交易中心", "交易中心", "411322", "12411322MB0000010",
     "方城县行政服务中心三楼", "冯科室", "0377-67221010"),
]
# What demo loads before this version wrote as contact; replaced on the next load.
OLD_PLACEHOLDER = ("联系人", "0375-0000000")

PLATFORMS = [  # code, name, region, port offset from DEVSTACK_PORT_BASE
    ("410400", "平顶山市公共资源交易中心", "410400", 1),
    ("411322", "方城县公共资源交易中心", "411322", 2),
]

# 限额以上 matrix (yuan). 2026 raises city/county goods & services limits.
THRESHOLDS = [
    ("省级", "货物", "1000000", "2020-01-01"), ("省级", "服务", "1000000", "2020-01-01"),
    ("省级", "工程", "1200000", "2020-01-01"),
    ("市级", "货物", "500000", "2020-01-01"), ("市级", "服务", "500000", "2020-01-01"),
    ("市级", "工程", "1000000", "2020-01-01"),
    ("县级", "货物", "300000", "2020-01-01"), ("县级", "服务", "300000", "2020-01-01"),
    ("县级", "工程", "600000", "2020-01-01"),
    ("市级", "货物", "1000000", "2026-01-01"), ("市级", "服务", "1000000", "2026-01-01"),
    ("县级", "货物", "500000", "2026-01-01"), ("县级", "服务", "500000", "2026-01-01"),
]

GPS_USERS = [  # username, role, org key, display name
    ("admin", "Admin", None, "系统管理员"),
    ("jingban", "采购单位经办岗", "pds_unit", "张经办"),
    ("shenhe", "单位内部审核岗", "pds_unit", "李审核"),
    ("jingban2", "采购单位经办岗", "fc_unit", "王经办"),
    ("daili", "代理机构", "agency", "赵代理"),
    ("chushen", "监管初审岗", "pds_reg", "钱初审"),
    ("fuhe", "监管复核岗", "pds_reg", "孙复核"),
    ("jianguan", "监管处", "pds_reg", "周监管"),
    # Reviewers elsewhere, so refusals across units and regions can be seen.
    ("shenhe2", "单位内部审核岗", "fc_unit", "陈审核"),
    ("chushen2", "监管初审岗", "fc_reg", "褚初审"),
    ("fuhe2", "监管复核岗", "fc_reg", "卫复核"),
    ("chushen_b", "监管初审岗", "pds_reg", "蒋初审"),
    ("sheng", "监管初审岗", "prov_reg", "沈初审"),
]

TRADING_USERS = {  # platform → (username, role, org key, display name)
    "410400": [("admin", "Admin", None, "系统管理员"),
               ("daili", "代理机构", "agency", "赵代理"),
               ("keshi", "中心业务科室", "pds_centre", "吴科室")],
    "411322": [("admin", "Admin", None, "系统管理员"),
               ("daili", "代理机构", "agency2", "郑代理"),
               ("keshi", "中心业务科室", "fc_centre", "冯科室")],
}

PLANS = [  # owner, name, method, category, budget, platform, agency
    ("jingban", "平顶山市教育局多媒体教室设备采购", "公开招标", "货物", "1500000.00", "410400", "agency"),
    ("jingban", "平顶山市教育局校园安保服务", "竞争性磋商", "服务", "1200000.00", "410400", "agency"),
    ("jingban", "平顶山市教育局办公用品采购", "询价", "货物", "80000.00", "410400", None),
    ("jingban2", "方城县人民医院医用耗材采购", "公开招标", "货物", "800000.00", "411322", "agency2"),
    ("jingban2", "方城县人民医院物业管理服务", "竞争性谈判", "服务", "200000.00", "411322", "agency2"),
]


def load(app, stages: bool = False) -> dict:
    """This site's regions, organisations, users and plans. With `stages`,
    also the stage projects of app/demo_stages.py on GPS and both local
    trading sites, whose demo is loaded too (they must be migrated and
    role-synced)."""
    summary = _load_site(app)
    if stages:
        from . import demo_stages

        sites = demo_stages.local_sites(app)
        others = [other for other in sites.all() if other is not app]
        try:
            for other in others:
                with other.app_context():
                    _load_site(other)
            summary["stage_projects"] = demo_stages.build(sites)
        finally:
            for other in others:  # their connections end with the command
                with other.app_context():
                    db.session.remove()
                    db.engine.dispose()
    if app.config["SITE"] == "gps":
        # Every commit keeps 项目监督 current; this also mends rows of a demo
        # loaded before it existed, so `make run` shows a populated list.
        from . import supervision

        summary["supervised"] = supervision.refresh_all(db.session)
        db.session.commit()
    return summary


def _load_site(app) -> dict:
    site = app.config["SITE"]
    regions = _regions()
    orgs = _organisations()
    db.session.commit()
    if site == "gps":
        _platforms()
        _thresholds()
        users = _users(app, GPS_USERS, orgs)
        db.session.commit()
        plans = _plans(app, orgs)
        from . import demo_experts

        demo_experts.load(app.appbuilder.sm.find_user(username="admin").id)
    else:
        code = app.config["PLATFORM_CODE"]
        _peer("gps", "河南省电子化政府采购系统", f"http://127.0.0.1:{port_base()}", pair=code)
        users = _users(app, TRADING_USERS.get(code, []), orgs)
        plans = 0
        _website_notices()
    db.session.commit()
    summary = {"regions": regions, "organisations": len(orgs), "users": users, "plans": plans}
    if site == "gps":
        summary["experts"] = db.session.query(Expert.id).count()
    return summary


def _regions() -> int:
    for code, name, level, parent in REGIONS:
        if db.session.get(Region, code) is None:
            parent_path = db.session.get(Region, parent).path if parent else ""
            db.session.add(Region(code=code, name=name, level=level,
                                  parent_code=parent, path=parent_path + code + "/"))
            db.session.flush()
    return len(REGIONS)


def _organisations() -> dict:
    orgs = {}
    for key, name, org_type, region, prefix, address, contact, phone in ORGS:
        org = db.session.query(Organisation).filter_by(name=name).one_or_none()
        if org is None:
            org = Organisation(name=name, org_type=org_type, region_code=region,
                               credit_code=complete(prefix))
            db.session.add(org)
        # Notices copy these; fill what is empty or still the old placeholder,
        # never what an administrator typed.
        if not org.address:
            org.address = address
        if (org.contact, org.phone) in ((None, None), OLD_PLACEHOLDER):
            org.contact, org.phone = contact, phone
        orgs[key] = org
    db.session.flush()
    return orgs


def _platforms():
    for code, name, region, offset in PLATFORMS:
        _peer(code, name, f"http://127.0.0.1:{port_base() + offset}", pair=code)
        if db.session.get(Platform, code) is None:
            db.session.add(Platform(code=code, name=name, region_code=region))


def _peer(code, name, base_url, pair):
    """A sync peer with the demo's shared secret for that pair of sites.
    The address follows DEVSTACK_PORT_BASE on every load."""
    peer = db.session.get(Peer, code)
    if peer is None:
        peer = Peer(code=code, name=name)
        db.session.add(peer)
    peer.base_url = base_url
    db.session.flush()
    if not db.session.query(PeerKey).filter_by(peer_code=code).count():
        db.session.add(PeerKey(peer_code=code, secret=demo_secret(pair), note="演示密钥"))


def port_base() -> int:
    return int(os.environ.get("DEVSTACK_PORT_BASE", "5000"))


def demo_secret(platform_code) -> str:
    """The secret GPS and one trading site share in the demo.

    Generated once per installation into INSTANCE_ROOT (which all the demo
    sites share), never a constant in the repository.
    """
    path = Path(os.environ.get("INSTANCE_ROOT", Path(__file__).resolve().parent.parent
                               / "instance")) / "demo-sync-secrets.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # sites may load their demo at once
        secrets_by_pair = json.loads(path.read_text()) if path.exists() else {}
        if platform_code not in secrets_by_pair:
            secrets_by_pair[platform_code] = "whsec_" + base64.b64encode(
                secrets.token_bytes(32)).decode()
            path.write_text(json.dumps(secrets_by_pair, indent=1))
            path.chmod(0o600)
        return secrets_by_pair[platform_code]


def _thresholds():
    for level, category, amount, since in THRESHOLDS:
        day = dt.date.fromisoformat(since)
        exists = db.session.query(PushThreshold).filter_by(
            region_level=level, category=category, effective_from=day).one_or_none()
        if exists is None:
            db.session.add(PushThreshold(region_level=level, category=category,
                                         amount=Decimal(amount), effective_from=day,
                                         basis="演示：河南省政府集中采购目录及采购限额标准"))


def _users(app, rows, orgs) -> int:
    sm = app.appbuilder.sm
    for username, role_name, org_key, display in rows:
        if sm.find_user(username=username):
            continue
        role = sm.find_role(role_name)
        if role is None:
            raise RuntimeError(f"角色“{role_name}”不存在，请先运行 flask roles sync")
        user = sm.add_user(username, display[0], display[1:], f"{username}@demo.invalid",
                           role, password=DEMO_PASSWORD)
        if not user:
            raise RuntimeError(f"无法创建用户 {username}")
        if org_key:
            user.organisation_id = orgs[org_key].id
    return len(rows)


def _plans(app, orgs) -> int:
    from flask import g

    from . import plans as plan_service

    sm = app.appbuilder.sm
    created = 0
    with app.test_request_context():
        for owner, name, method, category, budget, platform, agency in PLANS:
            if db.session.query(Plan).filter_by(project_name=name).first():
                continue
            user = sm.find_user(username=owner)
            g.user = user
            plan = Plan(project_name=name, procurement_method=method, category=category,
                        item_name="演示品目", budget=Decimal(budget), fund_source="财政性资金",
                        expected_date=dt.date.today() + dt.timedelta(days=30),
                        platform=db.session.get(Platform, platform),
                        agency=orgs[agency] if agency else None, interconnected=True,
                        contact=user.first_name + user.last_name, phone=user.organisation.phone)
            db.session.add(plan)
            plan_service.prepare(plan, user)
            db.session.flush()
            if created % 2 == 0:
                plan_service.file_plan(plan, user)
            created += 1
    return created


def _website_notices() -> None:
    """A few made-up notices of this platform's own region, so its public
    website has something to show before notices arrive from GPS (only into
    an empty table: idempotent)."""
    import random

    from .models import PublishedNotice
    from .public.seed import seed_notices

    if db.session.query(PublishedNotice.id).first() is None:
        seed_notices(30, rng=random.Random(2026))
