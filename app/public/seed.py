"""Seeding the website with made-up notices (until notices arrive by sync).

`flask website seed --count 200` adds that many published notices spread
over the columns and the last three years; the benchmark seeds 100,000 the
same way. Bodies go through the same sanitiser as synced notices.
"""
import datetime as dt
import random
import uuid

from sqlalchemy import insert

from ..extensions import db
from ..models import NOTICE_COLUMNS, PublishedNotice
from .sanitise import clean_html

# Each platform's notices name units of its own region (方城县's website must
# not show 平顶山's purchasers); a platform not listed gets 平顶山's.
UNITS = {
    "410400": ("平顶山市教育局", "平顶山市卫生健康委员会", "平顶山市第一人民医院", "平顶山市公安局",
               "平顶山市城市管理局", "平顶山学院", "叶县人民政府", "鲁山县教育体育局",
               "郏县农业农村局", "宝丰县交通运输局"),
    "411322": ("方城县人民医院", "方城县教育局", "方城县卫生健康委员会", "方城县公安局",
               "方城县城市管理局", "方城县中医院", "方城县交通运输局", "方城县农业农村局",
               "方城县券桥镇人民政府", "方城县第一高级中学"),
}
SITE_NAMES = {"410400": "平顶山市公共资源交易网", "411322": "方城县公共资源交易网"}
AGENCIES = {"410400": "河南中原招标代理有限公司", "411322": "南阳宛城项目管理有限公司"}
ITEMS = ("台式计算机", "办公家具", "医疗设备", "物业管理服务", "校园安防监控系统",
         "道路维修工程", "车辆维修服务", "图书", "食堂食材配送服务", "网络安全等级保护测评",
         "空调设备", "学生课桌椅", "污水处理设施运维", "档案数字化加工服务")
METHODS = ("公开招标", "竞争性磋商", "竞争性谈判", "询价", "单一来源采购")


def seed_notices(count: int, column: str | None = None, *, unpublished: int = 0,
                 days: int = 1095, rng: random.Random | None = None,
                 batch: int = 2000, now: dt.datetime | None = None) -> int:
    """Insert `count` published notices (and `unpublished` hidden ones) in
    batches, committing each batch; returns how many rows were added.
    `column` limits them to one column; otherwise they cycle through every column
    (`NOTICE_COLUMNS`, 合同公告 included)."""
    if column is not None and column not in NOTICE_COLUMNS:
        raise ValueError(f"unknown column {column!r}")
    rng = rng or random.Random()
    now = (now or dt.datetime.now()).replace(microsecond=0)
    platform = _platform_code()
    total, rows = count + unpublished, []
    for i in range(total):
        rows.append(_row(i, column or NOTICE_COLUMNS[i % len(NOTICE_COLUMNS)], rng, now,
                         days, platform, published=i >= unpublished))
        if len(rows) == batch or i + 1 == total:
            db.session.execute(insert(PublishedNotice), rows)
            db.session.commit()
            rows = []
    return total


def _platform_code() -> str:
    from flask import current_app

    return current_app.config.get("PLATFORM_CODE") or "410400"


def _row(i: int, column: str, rng: random.Random, now: dt.datetime, days: int,
         platform: str, published: bool) -> dict:
    when = now - dt.timedelta(seconds=rng.randrange(max(days, 1) * 86400))
    units = UNITS.get(platform, UNITS["410400"])
    unit, item, method = rng.choice(units), rng.choice(ITEMS), rng.choice(METHODS)
    code = f"{platform}-{when.year}-{rng.randrange(100000):05d}"
    lots = [{"code": f"{code}-{n}", "name": f"{item}（第{n}标段）",
             "budget": f"{rng.randrange(50_000, 5_000_000)}.00"}
            for n in range(1, rng.randint(1, 3) + 1)]
    title = f"{unit}{item}采购项目{method}{column}"
    return {"notice_key": f"seed-{uuid.uuid4().hex}", "column": column, "title": title,
            "project_code": code, "plan_no": f"{platform}-JH-{when.year}-{i % 100000:05d}",
            "region_code": platform, "body_html": clean_html(
                _contract_body(title, code, unit, item, method, lots, when, i)
                if column == "合同公告" else
                _body(title, code, unit, item, method, lots, when, platform)),
            "lots": lots, "published_at": when, "published": published, "version": 1}


def _body(title, code, unit, item, method, lots, when, platform) -> str:
    site = SITE_NAMES.get(platform, SITE_NAMES["410400"])
    agency = AGENCIES.get(platform, AGENCIES["410400"])
    rows = "".join(f"<tr><td>{lot['code']}</td><td>{lot['name']}</td>"
                   f"<td>{lot['budget']}</td></tr>" for lot in lots)
    return (
        f"<h3>{title}</h3>"
        f"<p><strong>项目概况</strong></p><p>{item}采购项目的潜在供应商应在{site}"
        f"获取采购文件，并于{(when + dt.timedelta(days=20)):%Y年%m月%d日} 09:00（北京时间）前递交投标文件。</p>"
        f"<p><strong>一、项目基本情况</strong></p><p>项目编号：{code}</p><p>采购方式：{method}</p>"
        f"<table border=\"1\"><thead><tr><th>标段编号</th><th>标段名称</th><th>预算金额（元）</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        "<p><strong>二、申请人的资格要求</strong></p><ol><li>满足《中华人民共和国政府采购法》"
        "第二十二条规定；</li><li>落实政府采购政策需满足的资格要求：本项目专门面向中小企业；</li>"
        "<li>本项目的特定资格要求：无。</li></ol>"
        "<p><strong>三、获取招标文件</strong></p><p>时间：自公告发布之日起5个工作日，"
        "每天上午08:30至12:00，下午14:30至17:30（北京时间，法定节假日除外）。</p>"
        f"<p>方式：登录{site}，使用CA数字证书免费下载。</p>"
        f"<p><strong>四、对本次招标提出询问，请按以下方式联系</strong></p><p>采购人：{unit}</p>"
        f"<p>采购代理机构：{agency}</p>")


def _contract_body(title, code, unit, item, method, lots, when, i) -> str:
    """A 合同公告 in its own national format (财办库〔2020〕50号), not a call
    for tenders: the website's 合同公告 column reads like the real ones."""
    amount = sum(int(lot["budget"].split(".")[0]) for lot in lots) * 9 // 10
    signed = when - dt.timedelta(days=2)
    return (
        f"<h3>{title}</h3>"
        f"<p><strong>一、合同编号</strong></p><p>HT-{when.year}-{i % 100000:05d}</p>"
        f"<p><strong>二、合同名称</strong></p><p>{item}采购合同</p>"
        f"<p><strong>三、项目编号</strong></p><p>{code}</p>"
        f"<p><strong>四、项目名称</strong></p><p>{unit}{item}采购项目</p>"
        f"<p><strong>五、合同主体</strong></p><p>采购人（甲方）：{unit}</p>"
        "<p>供应商（乙方）：河南示例科技有限公司</p>"
        f"<p><strong>六、合同主要信息</strong></p><p>主要标的名称：{item}</p>"
        f"<p>合同金额：{amount:,}.00 元</p><p>履约期限、地点等简要信息：合同签订后30日内，采购人指定地点</p>"
        f"<p>采购方式：{method}</p>"
        f"<p><strong>七、合同签订日期</strong></p><p>{signed:%Y年%m月%d日}</p>"
        f"<p><strong>八、合同公告日期</strong></p><p>{when:%Y年%m月%d日}</p>"
        "<p><strong>九、其他补充事宜</strong></p><p>无</p>")
