"""The demo's expert library: the 评审专业 tree and 300 made-up experts.

Generated from a fixed seed, so every load makes the same people (and a
second load adds nothing). No real person: the names are drawn from common
characters, the 身份证号 carry a valid check digit on made-up serials, the
mobiles are 138xxxxxxxx.
"""
import datetime as dt
import random

from sqlalchemy import select

from .experts import seed_specialities
from .extensions import db
from .models import Expert, ExpertRecusal, ExpertSpeciality, Organisation
from .rules.credit_code import complete
from .rules.personal_ids import complete_id_number

COUNT = 300
SEED = 20261130
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇鹏飞云凯峰亮志海波宁浩俊晨欣怡佳琪雪梅婷慧颖博远航振东国庆立新春燕"
# Where experts live, weighted towards the demo's platforms.
REGIONS = ["410000"] * 3 + ["410100"] * 2 + ["410400"] * 5 + ["410421", "410422"] * 2 \
    + ["411300"] * 2 + ["411322"] * 4 + ["411321"]
# Work units: (name, 17-char prefix of a made-up credit code), by region.
UNITS = {
    "410000": [("河南省建筑科学研究院", "12410000MB1000001"), ("河南大学", "12410000MB1000002"),
               ("河南省人民医院", "12410000MB1000003")],
    "410100": [("郑州大学", "12410100MB1000004"), ("郑州市规划勘测设计研究院", "12410100MB1000005")],
    "410400": [("平顶山学院", "12410400MB1000006"), ("平顶山市第一人民医院", "12410400MB1000007"),
               ("河南城建学院", "12410400MB1000008"), ("平顶山市建筑设计院", "91410400MA1000009")],
    "410421": [("宝丰县人民医院", "12410421MB1000010")],
    "410422": [("叶县第一高级中学", "12410422MB1000011")],
    "411300": [("南阳理工学院", "12411300MB1000012"), ("南阳市中心医院", "12411300MB1000013")],
    "411322": [("方城县第一高级中学", "12411322MB1000014"), ("方城县中医院", "12411322MB1000015"),
               ("方城县水利勘测设计院", "12411322MB1000016")],
    "411321": [("南召县人民医院", "12411321MB1000017")],
}
TITLES = ["高级工程师", "正高级工程师", "教授", "副教授", "主任医师", "副主任医师", "高级会计师",
          "律师", "高级经济师"]
# Demo organisations an expert may declare (its staff's relatives, a former employer).
RECUSAL_ORGS = ["河南中原招标代理有限公司", "平顶山市教育局", "方城县人民医院",
                "南阳宛城项目管理有限公司", "平顶山市卫生健康委员会"]


def load(admin_id: int) -> int:
    """Seed the tree and the experts not yet in the library; returns how
    many experts were added."""
    seed_specialities()
    leaves = [code for (code,) in db.session.execute(
        select(ExpertSpeciality.code).where(~ExpertSpeciality.code.in_(
            select(ExpertSpeciality.parent_code).where(
                ExpertSpeciality.parent_code.is_not(None)))))]
    leaves.sort()
    specialities = {s.code: s for s in db.session.query(ExpertSpeciality)}
    orgs = {o.name: o for o in db.session.query(Organisation).filter(
        Organisation.name.in_(RECUSAL_ORGS))}
    existing = set(db.session.execute(select(Expert.id_number)).scalars())
    rng = random.Random(SEED)
    added = 0
    for serial in range(COUNT):
        region = rng.choice(REGIONS)
        born = dt.date(1958, 1, 1) + dt.timedelta(days=rng.randrange(32 * 365))
        sex = rng.randrange(10)
        id_number = complete_id_number(f"{region}{born:%Y%m%d}{serial % 100:02d}{sex}")
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                              for _ in range(rng.choice((1, 2, 2))))
        mobile = f"138{rng.randrange(10 ** 8):08d}"
        unit, prefix = rng.choice(UNITS[region])
        codes = rng.sample(leaves, rng.choice((1, 1, 2, 3)))
        roll = rng.random()
        state = "注销" if roll < 0.04 else "暂停" if roll < 0.12 else "正常"
        regulator = rng.random() < 0.03
        title = rng.choice(TITLES)
        declared = [orgs[n] for n in rng.sample(RECUSAL_ORGS, 1) if n in orgs] \
            if rng.random() < 0.06 else []
        if id_number in existing:
            continue
        expert = Expert(
            name=name, id_number=id_number, mobile=mobile, work_unit=unit,
            work_unit_credit_code=complete(prefix), region_code=region, state=state,
            is_regulator=regulator, title=title,
            specialities=[specialities[c] for c in sorted(codes)],
            recusals=[ExpertRecusal(unit_name=o.name, credit_code=o.credit_code,
                                    reason="近三年内曾在该单位任职或有亲属任职")
                      for o in declared],
            created_by_fk=admin_id, changed_by_fk=admin_id)
        db.session.add(expert)
        existing.add(id_number)
        added += 1
    db.session.flush()
    return added
