"""The schema, shared by the GPS site and every trading site.

Each site has its own database built from these tables; which rows a site
writes and which it only replicates is set out in ../shared/DESIGN.md.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder.models.mixins import AuditMixin
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

REGION_LEVELS = ("省级", "市级", "县级")
ORG_TYPES = ("采购单位", "代理机构", "监管部门", "交易中心")
CATEGORIES = ("货物", "服务", "工程")
# 《政府采购法》第二十六条 and 财政部令第110号 (框架协议采购).
PROCUREMENT_METHODS = (
    "公开招标",
    "邀请招标",
    "竞争性谈判",
    "竞争性磋商",
    "询价",
    "单一来源",
    "框架协议采购",
)
FUND_SOURCES = ("财政性资金", "自筹资金", "其他资金")
PLAN_STATES = ("草稿", "已备案")


def _enum(values, name):
    return Enum(*values, name=name, native_enum=False, create_constraint=True,
                length=16)


class Region(Model):
    """An administrative division, keyed by its 6-digit code (GB/T 2260)."""

    __tablename__ = "region"
    code = Column(String(6), primary_key=True)
    name = Column(String(64), nullable=False)
    level = Column(_enum(REGION_LEVELS, "region_level"), nullable=False)
    parent_code = Column(String(6), ForeignKey("region.code"))
    parent = relationship("Region", remote_side=[code])
    # Materialised path "410000/411300/411322/" so a subtree is one LIKE.
    path = Column(String(128), nullable=False, index=True)

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Organisation(Model):
    __tablename__ = "organisation"
    id = Column(Integer, primary_key=True)
    name = Column(String(128), nullable=False, unique=True)
    org_type = Column(_enum(ORG_TYPES, "org_type"), nullable=False, index=True)
    credit_code = Column(String(18), nullable=False, unique=True)
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False)
    region = relationship("Region")
    contact = Column(String(64))
    phone = Column(String(32))
    address = Column(String(255))

    def __str__(self):
        return self.name


class OrgUser(FabUser):
    """A FAB user who belongs to exactly one organisation.

    Named apart from FAB's `User` because FAB's own relationships resolve
    the string "User"; both map the same ab_user table.
    """

    __tablename__ = "ab_user"
    organisation_id = Column(Integer, ForeignKey("organisation.id"))
    organisation = relationship("Organisation")


class Platform(Model):
    """A configured public resource trading platform (交易平台)."""

    __tablename__ = "platform"
    code = Column(String(16), primary_key=True)
    name = Column(String(128), nullable=False, unique=True)
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False)
    region = relationship("Region")
    base_url = Column(String(255), nullable=False)
    # Shared HMAC secret for signed sync (whsec_… form); never listed.
    shared_secret = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)

    def __str__(self):
        return self.name


class PushThreshold(Model):
    """One cell of the 限额以上 matrix: level × category from a date on."""

    __tablename__ = "push_threshold"
    __table_args__ = (
        UniqueConstraint("region_level", "category", "effective_from",
                         name="uq_push_threshold_cell"),
    )
    id = Column(Integer, primary_key=True)
    region_level = Column(_enum(REGION_LEVELS, "threshold_level"), nullable=False)
    category = Column(_enum(CATEGORIES, "threshold_category"), nullable=False)
    amount = Column(Numeric(16, 2), nullable=False)
    effective_from = Column(Date, nullable=False)
    basis = Column(String(255))  # the document that sets the limit

    def __str__(self):
        return f"{self.region_level}{self.category} ≥ {self.amount} 元（{self.effective_from} 起）"


class Plan(AuditMixin, Model):
    """采购计划备案, owned by the GPS site."""

    __tablename__ = "plan"
    id = Column(Integer, primary_key=True)
    plan_no = Column(String(32), nullable=False, unique=True)
    project_name = Column(String(200), nullable=False)
    unit_id = Column(Integer, ForeignKey("organisation.id"), nullable=False,
                     index=True)
    unit = relationship("Organisation", foreign_keys=[unit_id])
    # Copied from the unit when saved so regional scope is one indexed filter.
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False,
                         index=True)
    region = relationship("Region")
    procurement_method = Column(_enum(PROCUREMENT_METHODS, "procurement_method"),
                                nullable=False)
    category = Column(_enum(CATEGORIES, "plan_category"), nullable=False)
    item_name = Column(String(128), nullable=False)  # 采购品目
    budget = Column(Numeric(16, 2), nullable=False)
    fund_source = Column(_enum(FUND_SOURCES, "fund_source"), nullable=False)
    expected_date = Column(Date, nullable=False)  # 预计采购时间
    agency_id = Column(Integer, ForeignKey("organisation.id"), index=True)
    agency = relationship("Organisation", foreign_keys=[agency_id])
    platform_code = Column(String(16), ForeignKey("platform.code"))
    platform = relationship("Platform")
    interconnected = Column(Boolean, nullable=False, default=True)  # 是否互联互通
    contact = Column(String(64))
    phone = Column(String(32))
    remark = Column(Text)
    state = Column(_enum(PLAN_STATES, "plan_state"), nullable=False,
                   default="草稿", index=True)
    filed_at = Column(DateTime)
    meets_push = Column(Boolean, nullable=False, default=False)  # 满足推送条件
    push_reason = Column(String(255))

    def __str__(self):
        return f"{self.plan_no} {self.project_name}"

    @property
    def budget_yuan(self) -> Decimal:
        return self.budget


class SequenceCounter(Model):
    """Per-key counters for human-readable numbers (计划编号 …)."""

    __tablename__ = "sequence_counter"
    key = Column(String(64), primary_key=True)
    value = Column(Integer, nullable=False, default=0)


class AuditLog(Model):
    """Who did what, append-only."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    user = relationship("User")
    organisation_id = Column(Integer, ForeignKey("organisation.id"))
    action = Column(String(64), nullable=False)
    entity = Column(String(64), nullable=False)
    entity_key = Column(String(64))
    detail = Column(Text)
