"""The schema, shared by the GPS site and every trading site.

Each site has its own database built from these tables; which rows a site
writes and which it only replicates is set out in ../shared/DESIGN.md.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.models.mixins import AuditMixin
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    JSON,
    UniqueConstraint,
    event,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
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
PLAN_STATES = ("草稿", "已备案", "已撤回")
PUSH_STATES = ("不推送", "待推送", "已推送", "推送失败")
OUTBOX_STATES = ("待推送", "推送中", "已推送", "推送失败", "死信")
INBOX_RESULTS = ("已应用", "已忽略（旧版本）")
# 中标结果变更备案: the states of its approval chain (app/workflows/).
WINNER_CHANGE_STATES = ("草稿", "待单位审核", "待监管初审", "待监管复核", "流程完成", "已退回")
# Statutory grounds for changing the winner (《政府采购法》第五十二条至第五十八条,
# 《政府采购法实施条例》第四十九条).
WINNER_CHANGE_REASONS = ("质疑成立", "中标人放弃/拒签", "投诉处理决定", "其他")
APPROVAL_RESULTS = ("提交", "通过", "退回")
# 项目进场受理 on a trading site: the acceptance chain, and the project's
# trading stages reported to GPS (project.status).
ACCEPTANCE_STATES = ("草稿", "待受理审核", "受理通过", "已退回")
PROJECT_STAGES = ("未受理", "受理通过", "公告已发布", "已开标", "评标中", "评标结束")
# 合同公告: published from 【合同管理】→【合同公告及备案】 (app/contracts.py), not
# drafted in the notice wizard.
NOTICE_COLUMNS = ("采购公告", "变更公告", "结果公告", "结果更正公告", "终止公告", "合同公告")
SCORING_CATEGORIES = ("价格", "技术", "商务")
# 变更公告 column: the agency adjusts the times after a GPS change notice.
TIME_CHANGE_STATES = ("待调整", "待审核", "已生效", "已退回")


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
    # FAB's session is a signed cookie that stays valid wherever it was copied
    # to; each session remembers this number from its login and stops working
    # once it changes (logout, password change, deactivation: app/security.py).
    session_version = Column(Integer, nullable=False, default=0, server_default="0")

    def end_sessions(self):
        self.session_version = (self.session_version or 0) + 1

    def __str__(self):
        return self.name_typed or self.username

    def get_full_name(self):
        # FAB's joins the two with a space (the navbar read "张 经办",
        # "系 统管理员"); a Chinese name has none.
        return str(self)

    @hybrid_property
    def name_typed(self) -> str:
        """姓 (first_name) and 名 as a Chinese name is written, with no space:
        what a search for "钱初审" looks in (neither column holds it whole)."""
        return f"{self.first_name or ''}{self.last_name or ''}"

    @name_typed.inplace.expression
    @classmethod
    def _name_typed(cls):
        return func.coalesce(cls.first_name, "") + func.coalesce(cls.last_name, "")


@event.listens_for(OrgUser.password, "set")
def _password_changed(user, value, old, initiator):
    # Every path that changes a password (self-service, admin reset, CLI) ends
    # the sessions opened with the old one. `old` is not a str for a new user.
    if isinstance(old, str) and value != old:
        user.end_sessions()


@event.listens_for(OrgUser.active, "set")
def _deactivated(user, value, old, initiator):
    # FAB refuses an inactive user's session already; bumping the version too
    # keeps old cookies dead if the account is later reactivated.
    if old is True and not value:
        user.end_sessions()


class Platform(Model):
    """A configured public resource trading platform (交易平台).

    Its address and shared secrets are those of the sync peer with the
    same code (see Peer)."""

    __tablename__ = "platform"
    code = Column(String(16), ForeignKey("peer.code"), primary_key=True)
    name = Column(String(128), nullable=False, unique=True)
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False)
    region = relationship("Region")
    peer = relationship("Peer")
    active = Column(Boolean, nullable=False, default=True)

    def __str__(self):
        return self.name


class Peer(Model):
    """Another site this one exchanges signed messages with."""

    __tablename__ = "peer"
    code = Column(String(16), primary_key=True)  # "gps" or a platform code
    name = Column(String(128), nullable=False)
    base_url = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    keys = relationship("PeerKey", order_by="PeerKey.id", back_populates="peer")

    def __str__(self):
        return self.name


class PeerKey(Model):
    """A shared secret (whsec_…) with a peer. Several may be active while a
    key is rotated: the newest signs, every active one verifies."""

    __tablename__ = "peer_key"
    id = Column(Integer, primary_key=True)
    peer_code = Column(String(16), ForeignKey("peer.code"), nullable=False, index=True)
    peer = relationship("Peer", back_populates="keys")
    secret = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    retired_at = Column(DateTime)
    note = Column(String(255))


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
    # Each scope (unit, agency, region: app/scope.py) with 备案时间, the order
    # of 采购公告发布: its page is the scope's newest filed plans, read off the
    # index instead of sorting a unit's ~500,000 (bench/list_bench.py). The
    # scope's own lookups use the first column.
    __table_args__ = (
        Index("ix_plan_unit_filed", "unit_id", "filed_at"),
        Index("ix_plan_agency_filed", "agency_id", "filed_at"),
        Index("ix_plan_region_filed", "region_code", "filed_at"),
        # A city's or the province's regulator sees plans of several regions:
        # the page walks the newest filed overall and keeps theirs (340 ms on
        # PostgreSQL and 1 s on SQLite sorting a city's ~830,000 before).
        Index("ix_plan_filed", "filed_at", "id"),
        # 【待办任务】's search reads a filing's plan name by id (_mentions)
        # from the index alone.
        Index("ix_plan_id_name", "id", "project_name"),
    )
    id = Column(Integer, primary_key=True)
    plan_no = Column(String(32), nullable=False, unique=True)
    project_name = Column(String(200), nullable=False)
    unit_id = Column(Integer, ForeignKey("organisation.id"), nullable=False)
    unit = relationship("Organisation", foreign_keys=[unit_id])
    # Copied from the unit when saved so regional scope is one indexed filter.
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False)
    region = relationship("Region")
    procurement_method = Column(_enum(PROCUREMENT_METHODS, "procurement_method"),
                                nullable=False)
    category = Column(_enum(CATEGORIES, "plan_category"), nullable=False)
    item_name = Column(String(128), nullable=False)  # 采购品目
    budget = Column(Numeric(16, 2), nullable=False)
    fund_source = Column(_enum(FUND_SOURCES, "fund_source"), nullable=False)
    expected_date = Column(Date, nullable=False)  # 预计采购时间
    agency_id = Column(Integer, ForeignKey("organisation.id"))
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
    # Sync bookkeeping: version of the last message sent, where it went,
    # and how its delivery stands (待推送 / 已推送 / 推送失败).
    version = Column(Integer, nullable=False, default=0)
    pushed_to = Column(String(16))
    push_state = Column(_enum(PUSH_STATES, "push_state"), nullable=False, default="不推送")
    push_state_at = Column(DateTime)
    withdrawn_at = Column(DateTime)
    withdraw_reason = Column(String(255))

    def __str__(self):
        return f"{self.plan_no} {self.project_name}"


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
    # OrgUser, not FAB's User (the same table): 【审计日志】 searches its name_typed.
    user = relationship("OrgUser")
    organisation_id = Column(Integer, ForeignKey("organisation.id"))
    action = Column(String(64), nullable=False)
    entity = Column(String(64), nullable=False)
    entity_key = Column(String(64), index=True)  # the timeline of 项目监督 looks rows up by it
    detail = Column(Text)


class OutboxMessage(Model):
    """A message to a peer, committed with the business change that made it."""

    __tablename__ = "outbox_message"
    id = Column(Integer, primary_key=True)  # also the change-feed watermark
    message_id = Column(String(36), nullable=False, unique=True)
    type = Column(String(64), nullable=False, index=True)
    target = Column(String(16), ForeignKey("peer.code"), nullable=False, index=True)
    entity_key = Column(String(64), nullable=False, index=True)
    entity_version = Column(Integer, nullable=False)
    body = Column(Text, nullable=False)  # the exact JSON sent on every attempt
    state = Column(_enum(OUTBOX_STATES, "outbox_state"), nullable=False,
                   default="待推送", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    next_attempt_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now(),
                             index=True)
    locked_until = Column(DateTime)  # a delivery job's lease
    retry_from = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    delivered_at = Column(DateTime)
    last_status = Column(Integer)
    last_error = Column(Text)


class InboxMessage(Model):
    """A message received from a peer: stored and applied in one transaction."""

    __tablename__ = "inbox_message"
    id = Column(Integer, primary_key=True)
    message_id = Column(String(36), nullable=False, unique=True)
    type = Column(String(64), nullable=False, index=True)
    source = Column(String(16), nullable=False, index=True)
    entity_key = Column(String(64), nullable=False, index=True)
    entity_version = Column(Integer, nullable=False)
    body_sha256 = Column(String(64), nullable=False)
    body = Column(Text, nullable=False)
    received_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    result = Column(_enum(INBOX_RESULTS, "inbox_result"), nullable=False)


class SecurityEvent(Model):
    """A refused interop request: what was wrong, from where. Nothing else of
    a refused message is kept."""

    __tablename__ = "security_event"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now(), index=True)
    remote_addr = Column(String(64))
    claimed_source = Column(String(64))
    message_id = Column(String(64))
    status = Column(Integer, nullable=False)
    reason = Column(String(255), nullable=False)


class PlanReplica(Model):
    """A 采购计划 received from GPS (read-only here): the 选择计划 list."""

    __tablename__ = "plan_replica"
    # 已接收计划, newest received first, for the centre and for an agency
    # (migration ee00a628296a).
    __table_args__ = (Index("ix_plan_replica_received", "received_at", "plan_no"),
                      Index("ix_plan_replica_agency_received", "agency_credit_code",
                            "received_at", "plan_no"))
    plan_no = Column(String(32), primary_key=True)
    version = Column(Integer, nullable=False)
    project_name = Column(String(200), nullable=False)
    unit_name = Column(String(128), nullable=False)
    unit_credit_code = Column(String(18), nullable=False)
    region_code = Column(String(6), nullable=False)
    agency_name = Column(String(128))
    agency_credit_code = Column(String(18))
    procurement_method = Column(String(16), nullable=False)
    category = Column(String(8), nullable=False)
    item_name = Column(String(128), nullable=False)
    budget = Column(Numeric(16, 2), nullable=False)
    fund_source = Column(String(16), nullable=False)
    expected_date = Column(Date, nullable=False)
    contact = Column(String(64))
    phone = Column(String(32))
    filed_at = Column(DateTime)
    status = Column(String(8), nullable=False, default="有效", index=True)  # 有效 / 已撤回
    withdraw_reason = Column(String(255))
    received_at = Column(DateTime, nullable=False)
    accepted = Column(Boolean, nullable=False, default=False)  # 已受理 (issue 5)

    def __str__(self):
        return f"{self.plan_no} {self.project_name}"


class Attachment(Model):
    """An uploaded file, stored outside the web root under a generated name.

    Who may download it is decided by the record it belongs to."""

    __tablename__ = "attachment"
    id = Column(Integer, primary_key=True)
    stored_name = Column(String(64), nullable=False, unique=True)
    original_name = Column(String(255), nullable=False)
    content_type = Column(String(64), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    uploaded_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())

    def __str__(self):
        return self.original_name


def _mentions(text, *columns, via=()):
    """A model's `label_matches`: any of its columns, or a column of a
    related row (relationship, column), contains `text`; `%` and `_` in it
    are text, not wildcards.

    The related row's column is read for each row searched (a scalar
    subquery), not asked with EXISTS: inside an OR, PostgreSQL answers an
    EXISTS by reading the column of every related row once, which for a
    queue's plans meant every plan's name (1,000,000: three processes for
    100 ms) to search 25,000 waiting filings. Read per row, it is one probe of
    ix_plan_id_name each. So each `via` must be many-to-one onto the column's
    own table: a collection would give PostgreSQL "more than one row returned
    by a subquery" where SQLite quietly picks one."""
    from sqlalchemy.orm import MANYTOONE

    for relationship_, column in via:
        prop = relationship_.property
        if prop.direction is not MANYTOONE or prop.secondary is not None \
                or column.table is not prop.mapper.local_table:
            raise ValueError(f"_mentions: {relationship_} is not many-to-one onto {column}")
    return or_(*[column.contains(text, autoescape=True) for column in columns],
               *[select(column).where(relationship_.property.primaryjoin).scalar_subquery()
                 .contains(text, autoescape=True) for relationship_, column in via])


class WinnerChange(AuditMixin, Model):
    """中标结果变更备案, owned by the GPS site; reviewed by its approval chain."""

    __tablename__ = "winner_change"
    __table_args__ = (
        CheckConstraint("new_supplier <> original_supplier",
                        name="ck_winner_change_supplier_changes"),
        # 【待办任务】 of a 单位内部审核岗: one state of one unit, newest change
        # first, from the index (migration f6b8d0a2c4e7).
        Index("ix_winner_change_unit_waiting", "unit_id", "state", "changed_on", "id"),
    )
    id = Column(Integer, primary_key=True)
    filing_no = Column(String(32), nullable=False, unique=True)  # 备案编号
    unit_id = Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    unit = relationship("Organisation")
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    region = relationship("Region")
    # 选择项目信息: until projects and result notices exist, a filed plan.
    plan_id = Column(Integer, ForeignKey("plan.id"), nullable=False, index=True)
    plan = relationship("Plan")
    lots = Column(String(255))  # 涉及标段
    original_supplier = Column(String(128), nullable=False)  # 原中标供应商
    original_amount = Column(Numeric(16, 2), nullable=False)  # 原中标金额
    new_supplier = Column(String(128), nullable=False)  # 变更后供应商
    new_amount = Column(Numeric(16, 2), nullable=False)  # 变更后中标金额
    reason = Column(_enum(WINNER_CHANGE_REASONS, "winner_change_reason"), nullable=False)
    explanation = Column(Text, nullable=False)  # 变更情况说明
    statement_id = Column(Integer, ForeignKey("attachment.id"))  # 加盖公章的情况说明材料
    statement = relationship("Attachment")
    state = Column(_enum(WINNER_CHANGE_STATES, "winner_change_state"), nullable=False,
                   default="草稿", index=True)
    submitted_at = Column(DateTime)
    completed_at = Column(DateTime)
    last_opinion = Column(String(500))  # the latest 退回 opinion, for the 经办岗
    # Optimistic lock: an UPDATE matching no row (someone acted first) fails.
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else ""

    # 涉及标段 as the form's multiple choice; stored as "code、code".
    @property
    def lot_codes(self) -> list[str]:
        return [code for code in (self.lots or "").split("、") if code]

    @lot_codes.setter
    def lot_codes(self, codes) -> None:
        self.lots = "、".join(codes or []) or None

    def __str__(self):
        return f"{self.filing_no} {self.plan.project_name if self.plan else ''}".strip()

    # What __str__ and unit_name read, loaded with the 【待办任务】's page.
    label_loads = ("plan", "unit")

    @classmethod
    def label_matches(cls, text):
        """【待办任务】's search in SQL: what __str__ and unit_name show."""
        return _mentions(text, cls.filing_no,
                         via=((cls.plan, Plan.project_name), (cls.unit, Organisation.name)))


class ApprovalRecord(Model):
    """One decision in an approval chain. Append-only: the model refuses
    updates and deletes (below) and so does the database (triggers in the
    migration)."""

    __tablename__ = "approval_record"
    id = Column(Integer, primary_key=True)
    chain = Column(String(32), nullable=False)  # e.g. "winner_change"
    item_id = Column(Integer, nullable=False)
    step = Column(String(32), nullable=False)  # 经办岗提交, 单位内部审核, …
    result = Column(_enum(APPROVAL_RESULTS, "approval_result"), nullable=False)
    opinion = Column(String(500))
    from_state = Column(String(16), nullable=False)
    to_state = Column(String(16), nullable=False)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    user_name = Column(String(128), nullable=False)
    role = Column(String(64), nullable=False)
    organisation_id = Column(Integer, ForeignKey("organisation.id"), nullable=False)
    organisation_name = Column(String(128), nullable=False)
    at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    __table_args__ = (Index("ix_approval_record_item", "chain", "item_id"),)


class AppendOnlyError(Exception):
    pass


@event.listens_for(ApprovalRecord, "before_update")
@event.listens_for(ApprovalRecord, "before_delete")
def _refuse_change(mapper, connection, target):
    raise AppendOnlyError("审批记录只能追加，不能修改或删除")


class TradingProject(AuditMixin, Model):
    """项目进场受理 on a trading site: the project an agency brings in, from a
    plan GPS pushed here (是否选择计划 是) or on its own (否)."""

    __tablename__ = "trading_project"
    # 【待办任务】 of 中心业务科室: one state in its region, newest change first
    # (migration ee00a628296a).
    __table_args__ = (Index("ix_trading_project_waiting", "state", "region_code", "changed_on",
                            "id"),)
    id = Column(Integer, primary_key=True)
    project_code = Column(String(32), nullable=False, unique=True)  # 项目编号
    from_plan = Column(Boolean, nullable=False, default=True)  # 是否选择计划
    # UNIQUE: one plan is accepted by one project only, even under races.
    plan_no = Column(String(32), ForeignKey("plan_replica.plan_no"), unique=True)
    plan = relationship("PlanReplica")
    project_name = Column(String(200), nullable=False)
    unit_name = Column(String(128), nullable=False)
    unit_credit_code = Column(String(18))
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    region = relationship("Region")
    procurement_method = Column(_enum(PROCUREMENT_METHODS, "project_method"), nullable=False)
    category = Column(_enum(CATEGORIES, "project_category"), nullable=False)
    budget = Column(Numeric(16, 2), nullable=False)
    fund_source = Column(String(16))
    agency_id = Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    agency = relationship("Organisation")
    open_place = Column(String(200))  # 开标地点
    contact = Column(String(64))
    phone = Column(String(32))
    encrypted = Column(Boolean, nullable=False, default=True)  # 是否加密
    remote_opening = Column(Boolean, nullable=False, default=False)  # 是否为不见面开标项目
    # 87号令第四十七条: such a project needs a committee of 7 or more.
    technically_complex = Column(Boolean, nullable=False, default=False,
                                 server_default=false())  # 技术复杂、专业性强
    wide_impact = Column(Boolean, nullable=False, default=False,
                         server_default=false())  # 社会影响较大
    state = Column(_enum(ACCEPTANCE_STATES, "acceptance_state"), nullable=False,
                   default="草稿")
    stage = Column(_enum(PROJECT_STAGES, "project_stage"), nullable=False, default="未受理")
    submitted_at = Column(DateTime)
    accepted_at = Column(DateTime)
    last_opinion = Column(String(500))
    version = Column(Integer, nullable=False, default=1)  # optimistic lock
    sync_version = Column(Integer, nullable=False, default=0)  # last message sent to GPS
    lots = relationship("Lot", order_by="Lot.seq", back_populates="project",
                        cascade="all, delete-orphan")
    __mapper_args__ = {"version_id_col": version}

    def __str__(self):
        return f"{self.project_code} {self.project_name}"

    # What __str__ and unit_name read, loaded with the 【待办任务】's page.
    label_loads = ()

    @classmethod
    def label_matches(cls, text):
        """【待办任务】's search in SQL: what __str__ and unit_name show."""
        return _mentions(text, cls.project_code, cls.project_name, cls.unit_name)


class Lot(Model):
    """标段(包) of a trading project; its code is the project code + 3 digits."""

    __tablename__ = "lot"
    __table_args__ = (UniqueConstraint("project_id", "seq", name="uq_lot_project_seq"),)
    id = Column(Integer, primary_key=True)
    project_id = Column(Integer, ForeignKey("trading_project.id"), nullable=False, index=True)
    project = relationship("TradingProject", back_populates="lots")
    seq = Column(Integer, nullable=False)
    code = Column(String(40), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    budget = Column(Numeric(16, 2), nullable=False)
    # 最高限价, as the GPS 采购公告 states it (notice.published); none: the
    # budget is the ceiling (87号令第六十三条（四）).
    max_price = Column(Numeric(16, 2))
    content = Column(Text)
    # 资费定义 (set by the agency)
    doc_fee = Column(Numeric(10, 2))  # 文件费
    bid_bond = Column(Numeric(16, 2))  # 投标保证金: ≤ 2% of the budget
    service_fee = Column(Numeric(12, 2))  # 平台服务费
    # 招标文件规划 and 开评标配置: editable once the lot's 采购公告 has arrived
    notice_received_at = Column(DateTime)
    doc_issue_start = Column(DateTime)  # 文件获取开始时间
    doc_issue_end = Column(DateTime)  # 文件获取截止时间
    bid_deadline = Column(DateTime)  # 投标截止时间
    open_time = Column(DateTime)  # 开标时间
    evaluation_method = Column(String(32))  # 评标办法
    committee_size = Column(Integer)  # 评委会人数
    # 组建评委会: when experts.drawn arrived (the 评审时间 had come), and the
    # version of the last committee.formed sent to GPS.
    experts_received_at = Column(DateTime)
    committee_version = Column(Integer, nullable=False, default=0, server_default="0")
    # lot.status (招标文件/开评标配置, 质疑, 开标 → GPS): the entity_version of the last one sent
    status_version = Column(Integer, nullable=False, default=0, server_default="0")

    def __str__(self):
        return f"{self.code} {self.name}"


class ScoringItem(Model):
    """评分标准: weights within a category sum to 100."""

    __tablename__ = "scoring_item"
    id = Column(Integer, primary_key=True)
    lot_id = Column(Integer, ForeignKey("lot.id"), nullable=False, index=True)
    lot = relationship("Lot")
    category = Column(_enum(SCORING_CATEGORIES, "scoring_category"), nullable=False)
    name = Column(String(128), nullable=False)
    weight = Column(Numeric(5, 2), nullable=False)
    criteria = Column(Text)


class ComplianceItem(Model):
    """符合性审查 checklist item."""

    __tablename__ = "compliance_item"
    id = Column(Integer, primary_key=True)
    lot_id = Column(Integer, ForeignKey("lot.id"), nullable=False, index=True)
    lot = relationship("Lot")
    name = Column(String(128), nullable=False)
    requirement = Column(Text)


def _of_lots_project(column):
    """A column default: the `column` of the project of the row's lot_id, read
    on the flush's connection, so every way a row is inserted (form, REST,
    demo, tests) fills it."""
    def default(context):
        lot_id = context.get_current_parameters().get("lot_id")
        return context.connection.execute(
            select(getattr(TradingProject, column))
            .join(Lot, Lot.project_id == TradingProject.id)
            .where(Lot.id == lot_id)).scalar()
    return default


class Objection(Model):
    """项目质疑 (异议) on a lot."""

    __tablename__ = "objection"
    # The list is its scope's newest first; the scope's columns are the
    # project's, copied (a project is 受理通过 before it has 质疑, and its
    # agency and region no longer change). Through the lot and its project
    # an agency's page took ~1 s at 24,507 质疑 on PostgreSQL (each of its
    # 120,000 lots hashed) and on SQLite (docs/benchmarks.md, session 48).
    # A city's centre sees most of them: its page walks the newest overall.
    __table_args__ = (
        Index("ix_objection_agency_received", "agency_id", "received_on", "id"),
        Index("ix_objection_region_received", "region_code", "received_on", "id"),
        Index("ix_objection_received", "received_on", "id"),
    )
    id = Column(Integer, primary_key=True)
    lot_id = Column(Integer, ForeignKey("lot.id"), nullable=False, index=True)
    lot = relationship("Lot")
    agency_id = Column(Integer, ForeignKey("organisation.id"), nullable=False,
                       default=_of_lots_project("agency_id"))
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False,
                         default=_of_lots_project("region_code"))
    objector = Column(String(128), nullable=False)
    received_on = Column(Date, nullable=False)
    known_on = Column(Date, nullable=False)  # when the objector knew (or should have)
    content = Column(Text, nullable=False)
    reply = Column(Text)
    reply_date = Column(Date)


class OpeningBid(Model):
    """开标记录: one bidder's price at the opening of a lot."""

    __tablename__ = "opening_bid"
    id = Column(Integer, primary_key=True)
    lot_id = Column(Integer, ForeignKey("lot.id"), nullable=False, index=True)
    lot = relationship("Lot")
    bidder = Column(String(128), nullable=False)
    bidder_credit_code = Column(String(18))
    price = Column(Numeric(16, 2), nullable=False)
    opened_at = Column(DateTime, nullable=False)
    # Set when the price was above the lot's 最高限价 (or budget) as recorded:
    # the warning, with its legal basis. The record is kept (it is what
    # happened at the opening); the committee treats the bid as 无效投标.
    ceiling_warning = Column(String(500))


class PublishedNotice(Model):
    """A notice on a trading site's public website (公共资源交易网). GPS owns
    notices; they arrive by sync (or are seeded) and are shown read-only."""

    __tablename__ = "published_notice"
    id = Column(Integer, primary_key=True)
    notice_key = Column(String(64), nullable=False, unique=True)  # GPS's id
    column = Column(_enum(NOTICE_COLUMNS, "notice_column"), nullable=False)
    title = Column(String(255), nullable=False)
    project_code = Column(String(40), index=True)
    plan_no = Column(String(32))
    region_code = Column(String(6))
    body_html = Column(Text, nullable=False)  # sanitised on the way in
    lots = Column(JSON)  # [{"code", "name", "budget"}]
    # Public documents of the notice, linked where their owner serves them
    # (a 合同公告's redacted contract on GPS): [{"title", "url", "size", "sha256"}]
    documents = Column(JSON)
    published_at = Column(DateTime, nullable=False, index=True)
    published = Column(Boolean, nullable=False, default=True, index=True)
    version = Column(Integer, nullable=False, default=1)
    # A column's notices newest first, in the order every list shows them
    # (published_at, then id: PostgreSQL needs no sort of a second's ties).
    # The code and the flag ride along so that a 项目编号 search walking the
    # column reads only this index, also on PostgreSQL, which checks a
    # condition on a row it has read (migration c0e2a4b6d8f1).
    __table_args__ = (Index("ix_published_notice_column_at_id",
                            "column", "published_at", "id", "project_code", "published"),)

    def __str__(self):
        return self.title


class NoticeTitleGram(Model):
    """Every two-character substring (lower-cased) of a published notice's
    title, for the website's 标题 search: a search of 2+ characters reads the
    notice ids under its grams instead of scanning the column. Written only by
    database triggers on published_notice (migrations e6b2d4f81a37, d5f7b9c1e3a6), so every
    writer (store_notice, the seeder's bulk INSERT, SQL by hand) keeps it
    current; hidden notices have no rows. See docs/architecture.md."""

    __tablename__ = "notice_title_gram"
    gram = Column(String(2), primary_key=True)
    column = Column(String(16), primary_key=True)
    # In the key before the id, so a gram's notices are read newest first
    # and a search stops after the newest matches (migration d5f7b9c1e3a6).
    published_at = Column(DateTime, primary_key=True)
    notice_id = Column(Integer, primary_key=True)
    __table_args__ = {"sqlite_with_rowid": False}


class NoticeTitleTrigram(Model):
    """Every three-character substring (lower-cased) of a published notice's
    title, keyed as NoticeTitleGram is: a 标题 search of 3+ characters walks
    its rarest trigram, which few titles but the matches share (“育局台” of
    “教育局台式计算机”, where every bigram is in any X局台式计算机). Written only
    by database triggers on published_notice (migration a3c5e7f9b1d4)."""

    __tablename__ = "notice_title_trigram"
    gram = Column(String(3), primary_key=True)
    column = Column(String(16), primary_key=True)
    published_at = Column(DateTime, primary_key=True)
    notice_id = Column(Integer, primary_key=True)
    __table_args__ = {"sqlite_with_rowid": False}


class PlanNameGram(Model):
    """Every two- and three-character substring (lower-cased) of a plan's
    项目名称: a list's 包含 search of 2+ characters reads the ids under its
    grams before the LIKE (app/views/common/typed_filters.py, TextContains)
    instead of every plan in the user's scope. Written only by database
    triggers on plan (migration b5d7f9a1c3e6)."""

    __tablename__ = "plan_name_gram"
    gram = Column(String(3), primary_key=True)
    plan_id = Column(Integer, primary_key=True)
    __table_args__ = {"sqlite_with_rowid": False}


# A list column's gram table, for its 包含 filter: (table, column) → the
# table's gram and row id columns.
TEXT_GRAMS = {("plan", "project_name"): (PlanNameGram.gram, PlanNameGram.plan_id)}


class NoticeCodeSuffix(Model):
    """Every suffix of 2+ characters (lower-cased) of a notice's 项目编号: a
    code contains a text where one of its suffixes begins with it, so a
    项目编号 search reads one range of this key instead of every code.
    Written only by database triggers on published_notice (migrations
    c1e3a5b7d9f2, a7c9e1b3d5f8, d4f6a8c0e2b5); hidden notices keep theirs
    (the search checks `published`). Compared byte by byte ("C" on
    PostgreSQL), so that "begins with" is a range on both databases."""

    __tablename__ = "notice_code_suffix"
    # The column first: a project's code is in each of its notices (采购公告,
    # 结果公告, 合同公告 …), and a search reads its own column's (migration
    # a7c9e1b3d5f8).
    column = Column(String(16), primary_key=True)
    # Text: PostgreSQL's lower() under an ICU locale can lengthen a code.
    suffix = Column(Text().with_variant(Text(collation="C"), "postgresql"), primary_key=True)
    notice_id = Column(Integer, primary_key=True)
    # yyyymm of the notice's published_at (migration d4f6a8c0e2b5): a text
    # in many codes finds the newest month holding a match on (column,
    # month, suffix), one probe a month, and the column is walked from there.
    month = Column(Integer, nullable=False)
    __table_args__ = (Index("ix_notice_code_suffix_month", "column", "month", "suffix"),
                      {"sqlite_with_rowid": False})


class NoticeColumnCount(Model):
    """Per column, how many rows published_notice holds, hidden ones too.
    Written only by database triggers on published_notice (migration
    d2f4a6c8e0b3): a column page's 共 N 条 is this minus the column's hidden
    notices, one row read instead of counting the column's index (166,671
    entries for 采购公告 at 1,000,000 notices)."""

    __tablename__ = "notice_column_count"
    column = Column(String(16), primary_key=True)
    notices = Column(Integer, nullable=False)


class WebsiteVersion(Model):
    """One row: a number that database triggers raise on every change to
    published_notice (migration c4e6a8b0d2f4), whoever makes it. The
    website keeps rendered pages until it moves (app/public/page_cache.py)."""

    __tablename__ = "website_version"
    id = Column(Integer, primary_key=True)
    version = Column(BigInteger, nullable=False)


class GrantsVersion(Model):
    """One row: a number that database triggers raise on every change to the
    permission tables (migration e7a9c1d3f5b8), whoever makes it. Each
    process keeps a set of roles' grants until it moves (app/security.py)."""

    __tablename__ = "grants_version"
    id = Column(Integer, primary_key=True)
    version = Column(BigInteger, nullable=False)


class ProjectReplica(Model):
    """On GPS: a trading project accepted by a platform, with its lots
    (标段推送). Read-only here; the notice wizard chooses lots from it."""

    __tablename__ = "project_replica"
    # 【交易项目与标段】, newest received first, for everyone and for an agency
    # (migration 28e9e5d84e51).
    __table_args__ = (Index("ix_project_replica_received", "received_at", "project_code"),
                      Index("ix_project_replica_agency_received", "agency_credit_code",
                            "received_at", "project_code"))
    project_code = Column(String(32), primary_key=True)
    platform_code = Column(String(16), nullable=False)
    plan_no = Column(String(32), index=True)
    plan_id = Column(Integer, ForeignKey("plan.id"), index=True)
    plan = relationship("Plan")
    project_name = Column(String(200), nullable=False)
    agency_name = Column(String(128))
    agency_credit_code = Column(String(18))
    budget = Column(Numeric(16, 2), nullable=False)
    stage = Column(String(8), nullable=False)
    # 立项信息 as the platform last said (None: not sent by an older platform)
    encrypted = Column(Boolean)  # 是否加密
    remote_opening = Column(Boolean)  # 是否为不见面开标项目
    version = Column(Integer, nullable=False)
    received_at = Column(DateTime, nullable=False)
    lots = relationship("LotReplica", order_by="LotReplica.seq", back_populates="project",
                        cascade="all, delete-orphan")

    def __str__(self):
        return f"{self.project_code} {self.project_name}"


class ProjectInfoChange(Model):
    """A correction of 立项信息 (是否加密, 不见面开标) after 受理通过, with its
    reason. Written on the trading site by 中心业务科室 and, from the
    project.info_changed message, on GPS: the same rows on both sides."""

    __tablename__ = "project_info_change"
    __table_args__ = (UniqueConstraint("project_code", "seq", name="uq_project_info_change"),)
    id = Column(Integer, primary_key=True)
    project_code = Column(String(32), nullable=False, index=True)
    seq = Column(Integer, nullable=False)  # 1, 2, … per project
    changes = Column(JSON, nullable=False)  # [{"field", "label", "old", "new"}]
    reason = Column(String(500), nullable=False)
    user_name = Column(String(128), nullable=False)
    organisation_name = Column(String(128), nullable=False)
    changed_at = Column(DateTime, nullable=False)

    @property
    def summary(self) -> str:
        return "；".join(f"{c['label']}：{c['old']} → {c['new']}" for c in self.changes)


class LotReplica(Model):
    __tablename__ = "lot_replica"
    code = Column(String(40), primary_key=True)
    project_code = Column(String(32), ForeignKey("project_replica.project_code"),
                          nullable=False, index=True)
    project = relationship("ProjectReplica", back_populates="lots")
    seq = Column(Integer, nullable=False)
    name = Column(String(200), nullable=False)
    budget = Column(Numeric(16, 2), nullable=False)
    content = Column(Text)

    def __str__(self):
        return f"{self.code} {self.name}"


class TimeChange(Model):
    """变更公告 column on a trading site: a 变更公告 from GPS arrived for the
    project; the agency enters the new times and 【提交】s them for review.
    On approval they replace the lots' times."""

    __tablename__ = "time_change"
    # The list is its scope's newest first, by the project's agency and
    # region copied below (scope.time_change_clause); a city's centre sees
    # nearly all of them and walks the newest overall.
    __table_args__ = (
        Index("ix_time_change_agency_received", "agency_id", "received_at", "id"),
        Index("ix_time_change_region_received", "region_code", "received_at", "id"),
        Index("ix_time_change_received", "received_at", "id"),
    )
    id = Column(Integer, primary_key=True)
    project_id = Column(Integer, ForeignKey("trading_project.id"), nullable=False, index=True)
    project = relationship("TradingProject")
    notice_key = Column(String(64), nullable=False, unique=True)  # the 变更公告
    notice_title = Column(String(255), nullable=False)
    lot_codes = Column(JSON)  # lots the notice changes (None: all)
    received_at = Column(DateTime, nullable=False)
    new_doc_issue_end = Column(DateTime)  # 文件获取截止时间
    new_bid_deadline = Column(DateTime)  # 投标截止时间
    new_open_time = Column(DateTime)  # 开标时间
    # The times the GPS 变更公告 itself states (None: an older message
    # without them); entered times that differ need a reason.
    gps_doc_issue_end = Column(DateTime)
    gps_bid_deadline = Column(DateTime)
    gps_open_time = Column(DateTime)
    deviation_reason = Column(Text)  # 与变更公告不一致的原因
    remark = Column(Text)
    state = Column(_enum(TIME_CHANGE_STATES, "time_change_state"), nullable=False,
                   default="待调整", index=True)
    submitted_at = Column(DateTime)
    applied_at = Column(DateTime)
    last_opinion = Column(String(500))
    # Created by an arriving notice, not by a user: no AuditMixin; the
    # approval records say who did what.
    changed_on = Column(DateTime, nullable=False, default=lambda: dt.datetime.now(),
                        onupdate=lambda: dt.datetime.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    # Copied from the project, so the approval engine's scopes (OwnAgency,
    # RegionCentre) are plain column filters here as on the project.
    agency_id = Column(Integer, ForeignKey("organisation.id"), nullable=False)
    agency = relationship("Organisation")
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False)
    region = relationship("Region")

    @property
    def unit_name(self) -> str:
        return self.project.unit_name

    def __str__(self):
        return f"{self.project.project_code} {self.notice_title}"

    # What __str__ and unit_name read, loaded with the 【待办任务】's page.
    label_loads = ("project",)

    @classmethod
    def label_matches(cls, text):
        """【待办任务】's search in SQL: what __str__ and unit_name show."""
        return or_(_mentions(text, cls.notice_title),
                   cls.project.has(TradingProject.label_matches(text)))


# --- 信息发布 (GPS): notices drafted in the 项目向导 --------------------------------
NOTICE_TYPES = NOTICE_COLUMNS
NOTICE_STATES = ("草稿", "已发布")
# Where a published notice stands on its way to the platform's website.
NOTICE_SYNC_STATES = ("未推送", "待推送", "已同步", "推送失败")
# 更正事项 of a 变更公告 (财办库〔2020〕50号 更正公告: 采购公告/采购文件/时间).
CHANGE_ITEMS = ("公告", "文件", "时间")


class Notice(AuditMixin, Model):
    """A notice of one interconnected project, drafted and published on GPS
    (【信息发布】→【采购公告发布】→【项目向导】). Which fields a type needs is
    set out in app/notices.py; a published notice never changes: a 变更公告 or
    结果更正公告 refers to it (`original`)."""

    __tablename__ = "notice"
    id = Column(Integer, primary_key=True)
    notice_key = Column(String(64), nullable=False, unique=True)  # 公告编号
    notice_type = Column(_enum(NOTICE_TYPES, "notice_type"), nullable=False, index=True)
    project_code = Column(String(32), ForeignKey("project_replica.project_code"),
                          nullable=False, index=True)
    project = relationship("ProjectReplica")
    # Copied from the plan, so scope is a plain column filter (app/scope.py).
    plan_id = Column(Integer, ForeignKey("plan.id"), nullable=False, index=True)
    plan = relationship("Plan")
    unit_id = Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    agency_id = Column(Integer, ForeignKey("organisation.id"), index=True)
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    platform_code = Column(String(16), nullable=False)
    original_id = Column(Integer, ForeignKey("notice.id"))
    original = relationship("Notice", remote_side=[id])
    title = Column(String(255), nullable=False)
    state = Column(_enum(NOTICE_STATES, "notice_state"), nullable=False, default="草稿",
                   index=True)
    # 采购公告 (and the new times of a 变更公告)
    performance_period = Column(String(128))  # 合同履行期限
    joint_bid = Column(Boolean)  # 本项目是否接受联合体投标
    qualification_html = Column(Text)  # 申请人的资格要求
    doc_start = Column(DateTime)  # 获取采购文件：开始时间
    doc_end = Column(DateTime)  # 获取采购文件：截止时间
    doc_place = Column(String(200))  # 地点
    doc_method = Column(String(200))  # 方式
    doc_price = Column(Numeric(10, 2))  # 售价
    bid_deadline = Column(DateTime)  # 提交投标文件截止时间
    open_time = Column(DateTime)  # 开标时间
    open_place = Column(String(200))  # 开标地点
    # 变更公告 / 结果更正公告
    change_items = Column(JSON)  # 更正事项: some of CHANGE_ITEMS
    change_html = Column(Text)  # 更正内容
    # 结果公告
    confirmed_on = Column(Date)  # 采购结果确定日期
    experts = Column(Text)  # 评审专家名单
    agency_fee = Column(String(200))  # 代理服务收费标准及金额
    late_reason = Column(String(500))  # why later than 2 working days
    # 终止公告
    reason = Column(Text)  # 项目终止的原因
    # Every type
    other_html = Column(Text)  # 其他补充事宜
    purchaser_name = Column(String(128))
    purchaser_address = Column(String(200))
    purchaser_phone = Column(String(64))
    agency_name = Column(String(128))
    agency_address = Column(String(200))
    agency_phone = Column(String(64))
    project_contact = Column(String(64))
    project_phone = Column(String(64))
    lots = relationship("NoticeLot", order_by="NoticeLot.seq", back_populates="notice",
                        cascade="all, delete-orphan")
    # Publication: 已发布 here, 已同步 when the platform applied it, 已上网
    # when its website reported it online (notice.online).
    published_at = Column(DateTime, index=True)
    sync_state = Column(_enum(NOTICE_SYNC_STATES, "notice_sync_state"), nullable=False,
                        default="未推送")
    synced_at = Column(DateTime)
    online_at = Column(DateTime)
    web_path = Column(String(200))
    version = Column(Integer, nullable=False, default=1)  # optimistic lock
    __mapper_args__ = {"version_id_col": version}

    def __str__(self):
        return f"{self.notice_key} {self.title}"


class NoticeLot(Model):
    """One chosen 标段 of a notice: the lot part of the notice."""

    __tablename__ = "notice_lot"
    __table_args__ = (UniqueConstraint("notice_id", "lot_code", name="uq_notice_lot"),)
    id = Column(Integer, primary_key=True)
    notice_id = Column(Integer, ForeignKey("notice.id"), nullable=False, index=True)
    notice = relationship("Notice", back_populates="lots")
    seq = Column(Integer, nullable=False)
    lot_code = Column(String(40), nullable=False)
    name = Column(String(200), nullable=False)
    budget = Column(Numeric(16, 2), nullable=False)
    max_price = Column(Numeric(16, 2))  # 最高限价
    requirement_html = Column(Text)  # 采购需求
    # 结果公告: 中标（成交）信息 and 主要标的信息
    supplier_name = Column(String(128))
    supplier_address = Column(String(200))
    supplier_credit_code = Column(String(18))
    award_amount = Column(Numeric(16, 2))
    main_items = Column(Text)

    def __str__(self):
        return f"{self.lot_code} {self.name}"


# 【节假日维护】: the working-day calendar as data (app/holidays.py).
HOLIDAY_KINDS = ("休", "班")  # a weekday off; a Saturday or Sunday worked (调休)
HOLIDAY_YEAR_STATES = ("正式", "暂定")


class HolidayYear(Model):
    """A year of the calendar: 正式 once the State Council's arrangement
    (国务院办公厅关于XXXX年部分节假日安排的通知) is entered or imported; a
    year without a row, or 暂定, is judged by the law's own holidays."""

    __tablename__ = "holiday_year"
    year = Column(Integer, primary_key=True, autoincrement=False)
    state = Column(_enum(HOLIDAY_YEAR_STATES, "holiday_year_state"), nullable=False,
                   default="暂定")
    notice_no = Column(String(64))  # 文号
    notice_date = Column(Date)
    notice_url = Column(String(500))
    source = Column(String(64))  # 录入, 导入, or the seeding package
    updated_by_id = Column(Integer, ForeignKey("ab_user.id"))
    updated_by = relationship("User")
    updated_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())

    def __str__(self):
        return f"{self.year} 年（{self.state}）"


class HolidayDay(Model):
    """One day that differs from the plain week: 休 (a weekday off) or 班 (a
    Saturday or Sunday worked), named after its holiday."""

    __tablename__ = "holiday_day"
    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, unique=True)
    year = Column(Integer, ForeignKey("holiday_year.year"), nullable=False, index=True)
    kind = Column(_enum(HOLIDAY_KINDS, "holiday_kind"), nullable=False)
    name = Column(String(32), nullable=False)
    entered_by_id = Column(Integer, ForeignKey("ab_user.id"))
    entered_by = relationship("User")
    entered_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())

    def __str__(self):
        return f"{self.day} {self.kind} {self.name}"


class ProvisionalJudgment(Model):
    """A notice published on a verdict that relied on 暂定 days. When the year
    is entered, the verdict is taken again (`rechecked_*`) and a change is
    listed for the administrator in 【节假日维护】."""

    __tablename__ = "provisional_judgment"
    id = Column(Integer, primary_key=True)
    notice_id = Column(Integer, ForeignKey("notice.id"), nullable=False, index=True)
    notice = relationship("Notice")
    years = Column(String(64), nullable=False)  # "2027" or "2027,2028"
    judged_on = Column(Date, nullable=False)  # the day the verdict was for
    until = Column(Date, nullable=False)  # last date the verdict concerns
    verdict = Column(Text, nullable=False)  # what the user was told ("" = lawful)
    rechecked_at = Column(DateTime)
    recheck_verdict = Column(Text)
    changed = Column(Boolean, nullable=False, default=False)


# --- 专家管理 (GPS): the expert library, 专家抽取申请 and the sealed draw ---------
EXPERT_STATES = ("正常", "暂停", "注销")
EXPERT_REQUEST_STATES = ("草稿", "待监管初审", "已通过", "已退回")
# 回避单位 named in an application: the purchaser is always one.
RECUSAL_KINDS = ("采购人", "投标人", "其他")
DRAW_KINDS = ("抽取", "补抽")
DRAWN_ROLES = ("正选", "备选")
# The operator's record of the call to a drawn expert.
ATTENDANCE = ("待通知", "参加", "不参加", "请假")
# Where the sealed result stands: 未到评审时间 → 已推送 (outbox row made) .
RELEASE_STATES = ("未抽取", "已抽取", "已推送")


expert_speciality_link = Table(
    "expert_speciality_link", Model.metadata,
    Column("expert_id", Integer, ForeignKey("expert.id", ondelete="CASCADE"),
           primary_key=True),
    Column("speciality_code", String(16), ForeignKey("expert_speciality.code"),
           primary_key=True, index=True),
)


class ExpertSpeciality(Model):
    """评审专业: a category tree (e.g. A 货物 → A02 信息技术 → A0201 计算机设备)."""

    __tablename__ = "expert_speciality"
    code = Column(String(16), primary_key=True)
    name = Column(String(64), nullable=False)
    parent_code = Column(String(16), ForeignKey("expert_speciality.code"))
    parent = relationship("ExpertSpeciality", remote_side=[code])
    # Materialised path "A/A02/A0201/": an expert of a subtree matches a need
    # for its parent.
    path = Column(String(128), nullable=False, index=True)

    def __str__(self):
        return f"{self.code} {self.name}"


class Expert(AuditMixin, Model):
    """An expert of the provincial library (【专家管理】→【专家库】).
    身份证号 and mobile are shown unmasked only to those who maintain it."""

    __tablename__ = "expert"
    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False)
    id_number = Column(String(18), nullable=False, unique=True)  # 身份证号
    mobile = Column(String(11), nullable=False)
    work_unit = Column(String(128), nullable=False)  # 工作单位
    work_unit_credit_code = Column(String(18), index=True)  # 统一社会信用代码
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    region = relationship("Region")
    state = Column(_enum(EXPERT_STATES, "expert_state"), nullable=False, default="正常",
                   index=True)
    # Staff of a 监管部门 may not sit on a committee (财库〔2016〕198号).
    is_regulator = Column(Boolean, nullable=False, default=False)
    title = Column(String(64))  # 职称
    remark = Column(String(500))
    specialities = relationship("ExpertSpeciality", secondary=expert_speciality_link,
                                order_by="ExpertSpeciality.code")
    recusals = relationship("ExpertRecusal", back_populates="expert",
                            cascade="all, delete-orphan")

    def __str__(self):
        return self.name


class ExpertRecusal(Model):
    """A 回避单位 the expert declared (employment or control in the last 3
    years, a close relative's employer, another conflict)."""

    __tablename__ = "expert_recusal"
    id = Column(Integer, primary_key=True)
    expert_id = Column(Integer, ForeignKey("expert.id", ondelete="CASCADE"), nullable=False,
                       index=True)
    expert = relationship("Expert", back_populates="recusals")
    unit_name = Column(String(128), nullable=False)
    credit_code = Column(String(18), index=True)
    reason = Column(String(200))

    def __str__(self):
        return self.unit_name


class ExpertRequest(AuditMixin, Model):
    """专家抽取申请 (【专家管理】→【专家抽取申请】), reviewed by the region's
    监管初审岗 and drawn by a regulator. A chosen (interconnected) project's
    result is pushed to its platform at the 评审时间; a project typed by hand
    is not pushed."""

    __tablename__ = "expert_request"
    id = Column(Integer, primary_key=True)
    request_no = Column(String(32), nullable=False, unique=True)  # 申请编号
    # Scope, copied so that it is a plain column filter (app/scope.py).
    unit_id = Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    unit = relationship("Organisation", foreign_keys=[unit_id])
    agency_id = Column(Integer, ForeignKey("organisation.id"), index=True)
    agency = relationship("Organisation", foreign_keys=[agency_id])
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    region = relationship("Region", foreign_keys=[region_code])
    # 选择项目 (None: typed by hand, not pushed)
    project_code = Column(String(32), ForeignKey("project_replica.project_code"), index=True)
    project = relationship("ProjectReplica")
    platform_code = Column(String(16))
    project_name = Column(String(200), nullable=False)  # 项目名称
    project_no = Column(String(32), nullable=False)  # 项目编号
    lot_code = Column(String(40), index=True)  # 标段
    lot_name = Column(String(200))
    procurement_method = Column(_enum(PROCUREMENT_METHODS, "expert_request_method"),
                                nullable=False)
    budget = Column(Numeric(16, 2))
    purchaser_name = Column(String(128), nullable=False)
    purchaser_credit_code = Column(String(18))
    review_at = Column(DateTime, nullable=False, index=True)  # 评审时间
    review_place = Column(String(200), nullable=False)  # 评审地点
    duration_hours = Column(Numeric(4, 1))  # 预计评审时长（小时）
    remote_review = Column(Boolean, nullable=False, default=False)  # 异地评审
    # Experts are drawn from this region and those below it.
    expert_region_code = Column(String(6), ForeignKey("region.code"), nullable=False)
    expert_region = relationship("Region", foreign_keys=[expert_region_code])
    state = Column(_enum(EXPERT_REQUEST_STATES, "expert_request_state"), nullable=False,
                   default="草稿", index=True)
    submitted_at = Column(DateTime)
    approved_at = Column(DateTime)
    last_opinion = Column(String(500))
    release_state = Column(_enum(RELEASE_STATES, "expert_release_state"), nullable=False,
                           default="未抽取", index=True)
    released_at = Column(DateTime)  # when experts.drawn went to the outbox
    release_version = Column(Integer, nullable=False, default=0)  # experts.drawn version
    needs = relationship("ExpertNeed", order_by="ExpertNeed.seq", back_populates="request",
                         cascade="all, delete-orphan")
    recusal_units = relationship("RequestRecusal", order_by="RequestRecusal.id",
                                 back_populates="request", cascade="all, delete-orphan")
    draws = relationship("ExpertDraw", order_by="ExpertDraw.seq", back_populates="request")
    version = Column(Integer, nullable=False, default=1)  # optimistic lock
    __mapper_args__ = {"version_id_col": version}

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else self.purchaser_name

    def __str__(self):
        return f"{self.request_no} {self.project_name}"

    # What __str__ and unit_name read, loaded with the 【待办任务】's page.
    label_loads = ("unit",)

    @classmethod
    def label_matches(cls, text):
        """【待办任务】's search in SQL: what __str__ and unit_name show."""
        return _mentions(text, cls.request_no, cls.project_name, cls.purchaser_name,
                         via=((cls.unit, Organisation.name),))


class ExpertNeed(Model):
    """专家需求: one row of 评审专业, 人数 and 备选人数."""

    __tablename__ = "expert_need"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_expert_need_seq"),)
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("expert_request.id"), nullable=False, index=True)
    request = relationship("ExpertRequest", back_populates="needs")
    seq = Column(Integer, nullable=False)
    speciality_code = Column(String(16), ForeignKey("expert_speciality.code"), nullable=False)
    speciality = relationship("ExpertSpeciality")
    count = Column(Integer, nullable=False)  # 人数
    reserve_count = Column(Integer, nullable=False, default=0)  # 备选人数


class RequestRecusal(Model):
    """A 回避单位 named in an application (the purchaser is always one)."""

    __tablename__ = "request_recusal"
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("expert_request.id"), nullable=False, index=True)
    request = relationship("ExpertRequest", back_populates="recusal_units")
    kind = Column(_enum(RECUSAL_KINDS, "recusal_kind"), nullable=False)
    unit_name = Column(String(128), nullable=False)
    credit_code = Column(String(18))


class ExpertDraw(Model):
    """One draw (抽取, then any 补抽), recorded so that 【验证】 can re-run it:
    the seed, the filters, the pool's size and hash. Append-only."""

    __tablename__ = "expert_draw"
    # (request, seq) is UNIQUE: of two regulators pressing 【抽取】 at once,
    # only one inserts seq 1.
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_expert_draw_seq"),)
    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("expert_request.id"), nullable=False, index=True)
    request = relationship("ExpertRequest", back_populates="draws")
    seq = Column(Integer, nullable=False)
    kind = Column(_enum(DRAW_KINDS, "draw_kind"), nullable=False)
    seed = Column(String(64), nullable=False)  # hex, from secrets
    filters = Column(JSON, nullable=False)  # what made the pool, per need row
    pool_size = Column(Integer, nullable=False)
    pool_hash = Column(String(64), nullable=False)  # sha256 over the pool's ids
    result_hash = Column(String(64), nullable=False)  # sha256 over the drawn ids in order
    reason = Column(String(500))  # 补抽: why
    drawn_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    drawn_by_name = Column(String(128), nullable=False)
    drawn_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    experts = relationship("DrawnExpert", order_by="DrawnExpert.id", back_populates="draw")


class DrawnExpert(Model):
    """An expert a draw picked: 正选 or an ordered 备选, with the call's outcome."""

    __tablename__ = "drawn_expert"
    # Not drawn twice for the same application.
    __table_args__ = (UniqueConstraint("request_id", "expert_id", name="uq_drawn_expert"),)
    id = Column(Integer, primary_key=True)
    draw_id = Column(Integer, ForeignKey("expert_draw.id"), nullable=False, index=True)
    draw = relationship("ExpertDraw", back_populates="experts")
    request_id = Column(Integer, ForeignKey("expert_request.id"), nullable=False, index=True)
    need_id = Column(Integer, ForeignKey("expert_need.id"), nullable=False)
    need = relationship("ExpertNeed")
    expert_id = Column(Integer, ForeignKey("expert.id"), nullable=False, index=True)
    expert = relationship("Expert")
    role = Column(_enum(DRAWN_ROLES, "drawn_role"), nullable=False)
    position = Column(Integer, nullable=False)  # order within its need and role
    attendance = Column(_enum(ATTENDANCE, "attendance"), nullable=False, default="待通知")
    called_at = Column(DateTime)
    called_by_name = Column(String(128))
    remark = Column(String(200))


# --- 组建评委会 (trading): the committee of a lot --------------------------------
COMMITTEE_SOURCES = ("抽取专家", "备选专家", "采购人代表")
COMMITTEE_STATES = ("在册", "备选", "缺席", "已替换")


class CommitteeMember(Model):
    """A member (or synced reserve) of a lot's 评标委员会. Drawn experts and
    reserves arrive with experts.drawn; the agency adds the 采购人代表 with
    a 授权书, replaces an absent expert from the reserves and marks the
    评审组长."""

    __tablename__ = "committee_member"
    id = Column(Integer, primary_key=True)
    lot_id = Column(Integer, ForeignKey("lot.id"), nullable=False, index=True)
    lot = relationship("Lot")
    source = Column(_enum(COMMITTEE_SOURCES, "committee_source"), nullable=False)
    state = Column(_enum(COMMITTEE_STATES, "committee_state"), nullable=False, default="在册")
    expert_key = Column(String(40))  # GPS's expert id (None: 采购人代表)
    name = Column(String(32), nullable=False)
    speciality = Column(String(64))
    work_unit = Column(String(128))
    position = Column(Integer, nullable=False, default=0)  # reserves: their order
    is_chair = Column(Boolean, nullable=False, default=False)  # 评审组长
    authorization_id = Column(Integer, ForeignKey("attachment.id"))  # 授权书 (PDF)
    authorization = relationship("Attachment")
    replaces_id = Column(Integer, ForeignKey("committee_member.id"))
    replaces = relationship("CommitteeMember", remote_side=[id])
    added_by_name = Column(String(128))
    added_at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())

    def __str__(self):
        return self.name


class CommitteeReplica(Model):
    """On GPS: a lot's committee as its platform last sent it
    (committee.formed); the 结果公告's 评审专家名单 is pre-filled from it."""

    __tablename__ = "committee_replica"
    lot_code = Column(String(40), primary_key=True)
    project_code = Column(String(32), nullable=False, index=True)
    members = Column(JSON, nullable=False)  # [{"name", "source", "work_unit", "is_chair"}]
    version = Column(Integer, nullable=False)
    received_at = Column(DateTime, nullable=False)


# --- 合同管理 (GPS): 【合同公告及备案】 -------------------------------------------------
# 经办岗 【提交】 → 单位内部审核岗 通过 → 已备案 (the 合同公告 is published and the
# 备案 recorded for the region's regulator); 退回 → 已退回, edited and 提交 again.
CONTRACT_STATES = ("草稿", "待单位审核", "已退回", "已备案")


class Contract(AuditMixin, Model):
    """合同公告及备案 of one interconnected project, filed by the purchasing
    unit after the project's 结果公告 (GPS manual §4). Fields after the
    national contract-notice format (财办库〔2020〕50号 合同公告). A 补充合同
    refers to its original (`original`) and carries no lots of its own.
    Rules: app/rules/contracts.py; behaviour: app/contracts.py."""

    __tablename__ = "contract"
    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_contract_amount_positive"),
        # As WinnerChange's (migration f6b8d0a2c4e7).
        Index("ix_contract_unit_waiting", "unit_id", "state", "changed_on", "id"),
    )
    id = Column(Integer, primary_key=True)
    filing_no = Column(String(32), nullable=False, unique=True)  # 备案编号
    # Scope, copied from the plan so that it is a plain column filter (app/scope.py).
    unit_id = Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    unit = relationship("Organisation", foreign_keys=[unit_id])
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    region = relationship("Region")
    plan_id = Column(Integer, ForeignKey("plan.id"), nullable=False, index=True)
    plan = relationship("Plan")
    project_code = Column(String(32), ForeignKey("project_replica.project_code"),
                          nullable=False, index=True)
    project = relationship("ProjectReplica")
    # The 结果公告 (or the 结果更正公告 after it) the lots and awards were taken from.
    result_notice_id = Column(Integer, ForeignKey("notice.id"), nullable=False)
    result_notice = relationship("Notice", foreign_keys=[result_notice_id])
    original_id = Column(Integer, ForeignKey("contract.id"), index=True)  # 补充合同 of
    original = relationship("Contract", remote_side=[id], foreign_keys=[original_id])
    contract_no = Column(String(64), nullable=False)  # 合同编号
    contract_name = Column(String(200), nullable=False)  # 合同名称
    # 采购人（甲方） and 供应商（乙方）: filled from the plan and the award, editable.
    purchaser_name = Column(String(128), nullable=False)
    purchaser_address = Column(String(200))
    purchaser_phone = Column(String(64))
    supplier_name = Column(String(128), nullable=False)
    supplier_address = Column(String(200))
    supplier_phone = Column(String(64))
    supplier_credit_code = Column(String(18))
    main_items = Column(String(500), nullable=False)  # 主要标的名称
    spec = Column(Text)  # 规格型号或服务要求
    quantity = Column(String(64))  # 数量 (e.g. "120台", "1项")
    unit_price = Column(Numeric(16, 2))  # 单价（元）
    amount = Column(Numeric(16, 2), nullable=False)  # 合同金额（元）
    amount_note = Column(String(500))  # why 合同金额 differs from the award
    performance_period = Column(String(128))  # 履约期限
    performance_place = Column(String(200))  # 履约地点
    procurement_method = Column(_enum(PROCUREMENT_METHODS, "contract_method"),
                                nullable=False)  # 采购方式 (filled)
    # The 中标/成交通知书 date; None: the result notice's publication date stands for it.
    award_notice_on = Column(Date)
    # Indexed for 【合同备案查询】's 合同签订日期 filter (migration e5a7c9b1d3f6).
    signed_on = Column(Date, nullable=False, index=True)  # 合同签订日期
    announce_on = Column(Date)  # 公告日期 (planned; the real one is the notice's)
    other_html = Column(Text)  # 其他补充事宜
    late_reason = Column(String(500))  # 逾期原因, required when a clock is missed
    signed_pdf_id = Column(Integer, ForeignKey("attachment.id"))  # 合同原件 (signed)
    signed_pdf = relationship("Attachment", foreign_keys=[signed_pdf_id])
    redacted_pdf_id = Column(Integer, ForeignKey("attachment.id"))  # 公开版 (secrets removed)
    redacted_pdf = relationship("Attachment", foreign_keys=[redacted_pdf_id])
    state = Column(_enum(CONTRACT_STATES, "contract_state"), nullable=False, default="草稿",
                   index=True)
    submitted_at = Column(DateTime)
    filed_at = Column(DateTime, index=True)  # 备案 recorded (approved)
    last_opinion = Column(String(500))
    # The published 合同公告 (a Notice of type 合同公告, sent by the notice sync).
    notice_id = Column(Integer, ForeignKey("notice.id"), unique=True)
    notice = relationship("Notice", foreign_keys=[notice_id])
    lots = relationship("ContractLot", order_by="ContractLot.seq", back_populates="contract",
                        cascade="all, delete-orphan")
    version = Column(Integer, nullable=False, default=1)  # optimistic lock
    __mapper_args__ = {"version_id_col": version}

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else self.purchaser_name

    @property
    def is_supplement(self) -> bool:
        return self.original_id is not None

    @property
    def announced_on(self) -> dt.date | None:
        """公告日期 as it stands: the published 合同公告's day, else the planned one."""
        published = self.notice.published_at if self.notice is not None else None
        return published.date() if published else self.announce_on

    def __str__(self):
        return f"{self.filing_no} {self.contract_name}"

    # What __str__ and unit_name read, loaded with the 【待办任务】's page.
    label_loads = ("unit",)

    @classmethod
    def label_matches(cls, text):
        """【待办任务】's search in SQL: what __str__ and unit_name show."""
        return _mentions(text, cls.filing_no, cls.contract_name, cls.purchaser_name,
                         via=((cls.unit, Organisation.name),))


class ContractLot(Model):
    """关联标段: one awarded lot a contract covers, with the award as the result
    notice stated it when the contract was filed, and this contract's part."""

    __tablename__ = "contract_lot"
    __table_args__ = (UniqueConstraint("contract_id", "lot_code", name="uq_contract_lot"),)
    id = Column(Integer, primary_key=True)
    contract_id = Column(Integer, ForeignKey("contract.id"), nullable=False, index=True)
    contract = relationship("Contract", back_populates="lots")
    seq = Column(Integer, nullable=False)
    lot_code = Column(String(40), nullable=False, index=True)
    lot_name = Column(String(200), nullable=False)
    supplier_name = Column(String(128), nullable=False)  # 中标（成交）供应商
    award_amount = Column(Numeric(16, 2), nullable=False)  # 中标（成交）金额
    amount = Column(Numeric(16, 2), nullable=False)  # 本合同在该标段的金额

    def __str__(self):
        return f"{self.lot_code} {self.lot_name}"


# --- 项目监督 (GPS): 【项目监督】→【项目监督】, the 项目向导, 预警, 【监督看板】 --------------------
# docs/supervision.md. One row per filed plan, kept current by app/supervision.py
# from the records it summarises (never typed), so that the regulator's list,
# its filters and the dashboard are one indexed table at a province's volume.
SUPERVISION_STAGES = ("计划备案", "进场受理", "采购公告", "开标", "评标", "结果公告", "合同备案",
                      "终止", "已撤回")


class SupervisionProject(Model):
    """A project as 项目监督 lists it: the plan, where it stands, its amounts
    and how many 预警 it carries. Derived; rebuilt by `flask supervision refresh`."""

    __tablename__ = "supervision_project"
    __table_args__ = (
        Index("ix_supervision_project_region_filed", "region_code", "filed_at"),
        Index("ix_supervision_project_stage_filed", "stage", "filed_at"),
        # A city sees several regions, which (region_code, filed_at) cannot
        # give in order: these let the usual orders stop after the page.
        Index("ix_supervision_project_filed", "filed_at", "plan_id"),
        Index("ix_supervision_project_budget", "budget", "plan_id"),
        Index("ix_supervision_project_flags", "flag_count", "plan_id"),
        # A 预警 filter checks each flagged plan's region without reading its row.
        Index("ix_supervision_project_plan_region", "plan_id", "region_code"),
    )
    plan_id = Column(Integer, ForeignKey("plan.id"), primary_key=True)
    plan = relationship("Plan")
    plan_no = Column(String(32), nullable=False, unique=True)
    project_code = Column(String(32), index=True)  # 项目编号, once a platform accepted it
    project_name = Column(String(200), nullable=False)
    unit_id = Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    unit_name = Column(String(128), nullable=False)
    agency_id = Column(Integer, ForeignKey("organisation.id"), index=True)
    agency_name = Column(String(128))
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False)
    region = relationship("Region")
    platform_code = Column(String(16))
    procurement_method = Column(_enum(PROCUREMENT_METHODS, "supervision_method"), nullable=False)
    category = Column(_enum(CATEGORIES, "supervision_category"), nullable=False)
    budget = Column(Numeric(16, 2), nullable=False)
    filed_at = Column(DateTime, nullable=False)  # 计划备案
    stage = Column(_enum(SUPERVISION_STAGES, "supervision_stage"), nullable=False)
    stage_at = Column(DateTime)  # when the project reached its stage
    award_amount = Column(Numeric(16, 2))  # 中标（成交）金额, from the result in force
    contract_amount = Column(Numeric(16, 2))  # 已备案合同金额 (supplements included)
    flag_count = Column(Integer, nullable=False, default=0)
    refreshed_at = Column(DateTime, nullable=False)

    def __str__(self):
        return f"{self.plan_no} {self.project_name}"


class ProjectFlag(Model):
    """A 预警 (提示) raised on a project by a rule of app/rules/flags.py, with
    the record that raised it. Derived, like SupervisionProject."""

    __tablename__ = "project_flag"
    __table_args__ = (
        UniqueConstraint("plan_id", "flag_id", "record_type", "record_id", name="uq_project_flag"),
        Index("ix_project_flag_flag_plan", "flag_id", "plan_id"),
    )
    id = Column(Integer, primary_key=True)
    plan_id = Column(Integer, ForeignKey("supervision_project.plan_id"), nullable=False,
                     index=True)
    flag_id = Column(String(8), nullable=False)  # e.g. "YJ03", see app/rules/flags.py
    record_type = Column(String(32), nullable=False)  # Notice, Contract, LotStatus, …
    record_id = Column(String(64), nullable=False)  # its id or key
    record_label = Column(String(200))  # what people call it (公告编号, 备案编号, 标段编号)
    detail = Column(String(500), nullable=False)  # the figures, worded as a 提示
    raised_on = Column(Date, nullable=False)  # the day the rule was first met


class SupervisionTally(Model):
    """【监督看板】's projects counted ahead by region, month of 计划备案,
    采购方式 and 阶段: rebuilt from supervision_project by the sweeper
    (app/supervision_tally.py), so that a scope's figures are sums of a few
    thousand rows instead of GROUP BYs over a city's projects."""

    __tablename__ = "supervision_tally"
    __table_args__ = (Index("ix_supervision_tally_region_month", "region_code", "month"),)
    id = Column(Integer, primary_key=True)
    region_code = Column(String(6), nullable=False)
    month = Column(String(7), nullable=False)  # '2026-03', of filed_at
    procurement_method = Column(String(16), nullable=False)
    stage = Column(String(16), nullable=False)
    projects = Column(Integer, nullable=False)
    flagged = Column(Integer, nullable=False)  # projects with at least one 预警
    budget = Column(Numeric(20, 2), nullable=False)
    award_amount = Column(Numeric(20, 2))
    contract_amount = Column(Numeric(20, 2))
    built_at = Column(DateTime, nullable=False)


class SupervisionFlagTally(Model):
    """Projects carrying each 预警, by region and month of 计划备案; rebuilt
    with SupervisionTally."""

    __tablename__ = "supervision_flag_tally"
    __table_args__ = (Index("ix_supervision_flag_tally_region_month", "region_code", "month"),)
    id = Column(Integer, primary_key=True)
    region_code = Column(String(6), nullable=False)
    month = Column(String(7), nullable=False)
    flag_id = Column(String(8), nullable=False)
    projects = Column(Integer, nullable=False)
    built_at = Column(DateTime, nullable=False)


class LotStatusReplica(Model):
    """On GPS: a lot's trading-side stages as its platform last sent them
    (lot.status): 招标文件/开评标配置, 质疑, 开标. For the 项目向导 and 预警."""

    __tablename__ = "lot_status_replica"
    lot_code = Column(String(40), primary_key=True)
    project_code = Column(String(32), nullable=False, index=True)
    doc_issue_start = Column(DateTime)  # 文件获取开始时间
    doc_issue_end = Column(DateTime)  # 文件获取截止时间
    bid_deadline = Column(DateTime)  # 投标截止时间
    open_time = Column(DateTime)  # 开标时间
    evaluation_method = Column(String(32))  # 评标办法
    committee_size = Column(Integer)  # 评委会人数
    configured_at = Column(DateTime)  # 招标文件规划/开评标配置 last saved
    objections = Column(JSON)  # [{"received_on", "known_on", "reply_date"}] (质疑)
    bids = Column(JSON)  # [{"bidder", "price", "opened_at", "over_ceiling"}] (开标记录)
    opened_at = Column(DateTime)  # first bid opened
    version = Column(Integer, nullable=False)
    received_at = Column(DateTime, nullable=False)


class FieldChange(Model):
    """【历史】: one field of one record changed, by whom, when, old → new.
    Written by app/history.py in the transaction of the change itself."""

    __tablename__ = "field_change"
    __table_args__ = (Index("ix_field_change_entity", "entity", "entity_id", "at"),)
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=lambda: dt.datetime.now())
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    user_name = Column(String(128))  # as it was then; None: a system job or a peer's message
    organisation_name = Column(String(128))
    entity = Column(String(64), nullable=False)  # the model's class name: Plan, Notice, …
    entity_id = Column(String(64), nullable=False)  # its primary key, as text
    entity_key = Column(String(64))  # the number people know it by
    action = Column(String(16), nullable=False)  # 新增 / 修改 / 删除
    field = Column(String(64), nullable=False)
    label = Column(String(64))  # the field's Chinese label
    old = Column(Text)
    new = Column(Text)
