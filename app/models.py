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
    Text,
    JSON,
    UniqueConstraint,
    event,
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
NOTICE_COLUMNS = ("采购公告", "变更公告", "结果公告", "结果更正公告", "终止公告")
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
        # Chinese names: 姓 (first_name) then 名, no space.
        return f"{self.first_name or ''}{self.last_name or ''}" or self.username


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
    user = relationship("User")
    organisation_id = Column(Integer, ForeignKey("organisation.id"))
    action = Column(String(64), nullable=False)
    entity = Column(String(64), nullable=False)
    entity_key = Column(String(64))
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
    plan_no = Column(String(32), primary_key=True)
    version = Column(Integer, nullable=False)
    project_name = Column(String(200), nullable=False)
    unit_name = Column(String(128), nullable=False)
    unit_credit_code = Column(String(18), nullable=False)
    region_code = Column(String(6), nullable=False)
    agency_name = Column(String(128))
    agency_credit_code = Column(String(18), index=True)
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


class WinnerChange(AuditMixin, Model):
    """中标结果变更备案, owned by the GPS site; reviewed by its approval chain."""

    __tablename__ = "winner_change"
    __table_args__ = (
        CheckConstraint("new_supplier <> original_supplier",
                        name="ck_winner_change_supplier_changes"),
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

    def __str__(self):
        return f"{self.filing_no} {self.plan.project_name if self.plan else ''}".strip()


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
    state = Column(_enum(ACCEPTANCE_STATES, "acceptance_state"), nullable=False,
                   default="草稿", index=True)
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


class Objection(Model):
    """项目质疑 (异议) on a lot."""

    __tablename__ = "objection"
    id = Column(Integer, primary_key=True)
    lot_id = Column(Integer, ForeignKey("lot.id"), nullable=False, index=True)
    lot = relationship("Lot")
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
    published_at = Column(DateTime, nullable=False, index=True)
    published = Column(Boolean, nullable=False, default=True, index=True)
    version = Column(Integer, nullable=False, default=1)
    __table_args__ = (Index("ix_published_notice_column_at", "column", "published_at"),)

    def __str__(self):
        return self.title


class ProjectReplica(Model):
    """On GPS: a trading project accepted by a platform, with its lots
    (标段推送). Read-only here; the notice wizard chooses lots from it."""

    __tablename__ = "project_replica"
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
    version = Column(Integer, nullable=False)
    received_at = Column(DateTime, nullable=False)
    lots = relationship("LotReplica", order_by="LotReplica.seq", back_populates="project",
                        cascade="all, delete-orphan")

    def __str__(self):
        return f"{self.project_code} {self.project_name}"


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
    agency_id = Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    agency = relationship("Organisation")
    region_code = Column(String(6), ForeignKey("region.code"), nullable=False, index=True)
    region = relationship("Region")

    @property
    def unit_name(self) -> str:
        return self.project.unit_name

    def __str__(self):
        return f"{self.project.project_code} {self.notice_title}"


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
