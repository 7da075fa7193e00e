"""The approval engine: declarative chains on python-statemachine.

A chain is a StateMachine whose every transition names, as a validator,
the Actor who may take it (a role and the organisations it acts for).
Nothing else may move an item: a transition without a validator naming an
actor is an error when the chain is declared.

`take()` moves an item one step: the transition, its append-only
ApprovalRecord and anything the chain adds (say an outbox message) commit
together. The item's version column makes the UPDATE conditional, so of
two reviewers acting at once exactly one succeeds.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import false, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed

from ..audit import record
from ..extensions import db
from ..models import ApprovalRecord, Organisation, OrgUser, Region
from ..rules import text

EVENT_RESULTS = {"submit": "提交", "approve": "通过", "reject": "退回"}


class Refused(Exception):
    """A step that may not be taken, with the reason in the user's words."""


class OpinionRefused(Refused):
    """The opinion given is what is wrong (none for a 退回, or unreadable):
    a field's error, which REST answers 422, not a step out of turn (409)."""


def stale_message(item) -> str:
    return f"“{item}”已被他人处理，请刷新页面查看最新状态"


def role_names(user) -> set[str]:
    return {role.name for role in user.roles} if user is not None else set()


# --- who acts: a role within a scope ---------------------------------------

class OwnUnit:
    """Staff of the purchasing unit the item belongs to."""

    @staticmethod
    def allows(org, item) -> bool:
        return org.org_type == "采购单位" and item.unit_id == org.id

    @staticmethod
    def clause(model, org):
        return model.unit_id == org.id if org.org_type == "采购单位" else false()

    @staticmethod
    def refusal(item) -> str:
        return f"该事项属于“{item.unit.name}”，只能由本单位人员办理"

    @staticmethod
    def who(item) -> str:
        return f"“{item.unit.name}”"


class RegionRegulator:
    """The regulator (财政部门) of the item's own region: 同级监管."""

    @staticmethod
    def allows(org, item) -> bool:
        return org.org_type == "监管部门" and item.region_code == org.region_code

    @staticmethod
    def clause(model, org):
        return model.region_code == org.region_code if org.org_type == "监管部门" else false()

    @staticmethod
    def refusal(item) -> str:
        return f"该事项应由“{item.region.name}”本级监管部门办理"

    @staticmethod
    def who(item) -> str:
        return f"“{item.region.name}”本级监管部门"


class OwnAgency:
    """The 代理机构 the project belongs to."""

    @staticmethod
    def allows(org, item) -> bool:
        return org.org_type == "代理机构" and item.agency_id == org.id

    @staticmethod
    def clause(model, org):
        return model.agency_id == org.id if org.org_type == "代理机构" else false()

    @staticmethod
    def refusal(item) -> str:
        return f"该项目由“{item.agency.name}”办理，只能由该代理机构人员操作"

    @staticmethod
    def who(item) -> str:
        return f"“{item.agency.name}”"


class RegionCentre:
    """The 交易中心 of the item's region or a region above it."""

    @staticmethod
    def allows(org, item) -> bool:
        return (org.org_type == "交易中心"
                and item.region.path.startswith(org.region.path))

    @staticmethod
    def clause(model, org):
        if org.org_type != "交易中心":
            return false()
        return model.region_code.in_(
            select(Region.code).where(Region.path.like(org.region.path + "%")))

    @staticmethod
    def refusal(item) -> str:
        return f"该项目属于“{item.region.name}”，应由其所在地交易中心审核"

    @staticmethod
    def who(item) -> str:
        return f"“{item.region.name}”及其上级区划的交易中心"


@dataclass(frozen=True)
class Actor:
    role: str
    scope: type

    def check(self, user=None, item=None, **kwargs):
        """The validator a transition names: raises Refused unless the user
        holds the role and acts for the item's organisation."""
        if self.role not in role_names(user):
            raise Refused(f"该环节需由“{self.role}”办理，您没有该岗位")
        org = user.organisation
        if org is None or not self.scope.allows(org, item):
            raise Refused(self.scope.refusal(item))


@dataclass(frozen=True)
class AnyOf:
    """A transition more than one actor may take (an application filed by the
    purchasing unit or by its agency): the validator passes when one of them
    would. Each actor still counts on its own for 【待办任务】 and records."""

    actors: tuple

    @property
    def role(self) -> str:
        return "或".join(actor.role for actor in self.actors)

    def check(self, user=None, item=None, **kwargs):
        held = role_names(user)
        mine = [actor for actor in self.actors if actor.role in held]
        if not mine:
            raise Refused(f"该环节需由“{self.role}”办理，您没有该岗位")
        refusals = []
        for actor in mine:
            try:
                actor.check(user=user, item=item)
                return
            except Refused as refused:
                refusals.append(refused)
        # The refusal of the role the user holds says why (another organisation's).
        raise refusals[0]


def opinion_given(opinion="", **kwargs):
    if text.blank(opinion):  # U+200B too: a return nobody could read
        raise OpinionRefused("退回时必须填写审批意见")


# --- chains -----------------------------------------------------------------

class Chain(StateMachine):
    """Base of every approval chain. Subclasses set:

    key        -- the chain's name in approval records
    title      -- what users call the item (中标结果变更备案)
    item_model -- the SQLAlchemy model; it has state and version columns
    steps      -- state value → the step's name in the timeline

    An instance is bound to one item (python-statemachine's `model`).
    """

    key: str = ""
    title: str = ""
    item_model: type = None
    steps: dict = {}
    # Whether an item in the initial state already waits for someone (a
    # notice that arrived and must be handled), or is just a user's draft.
    initial_waits: bool = False

    # Every chain's items carry submitted_at and last_opinion (the latest 退回
    # opinion, shown to whoever resubmits); each chain's events are named
    # submit / approve / reject.
    def on_submit(self):
        self.model.submitted_at = dt.datetime.now()
        self.model.last_opinion = None

    def on_reject(self, opinion=""):
        self.model.last_opinion = text.trimmed(opinion)[:500]

    def after_transition(self, event, source, target, user=None, opinion="", **kwargs):
        item = self.model
        if hasattr(type(item), "changed_by_fk"):  # AuditMixin: the actor, even outside a request
            item.changed_by_fk = user.id
        db.session.add(ApprovalRecord(
            chain=self.key, item_id=item.id, step=self.steps[source.value],
            result=EVENT_RESULTS[event], opinion=text.trimmed(opinion or "")[:500] or None,
            from_state=source.value, to_state=target.value,
            user_id=user.id, user_name=_display_name(user),
            role=self.actor_for(source.value, event, user).role,
            organisation_id=user.organisation_id, organisation_name=user.organisation.name,
            at=dt.datetime.now()))
        record(user, EVENT_RESULTS[event], item, text.trimmed(opinion or "")[:500])

    @classmethod
    def actors(cls) -> tuple:
        """(state value, event, Actor) for every transition of the chain,
        read from the declaration once per chain (【待办任务】 asks per row)."""
        if cls not in _ACTORS:
            _ACTORS[cls] = tuple(_declared_actors(cls))
        return _ACTORS[cls]

    @classmethod
    def actor_for(cls, state_value, event, user=None) -> Actor:
        """The actor of `event` from the state; of several (AnyOf), the one
        whose role the user holds."""
        found = [actor for value, name, actor in cls.actors()
                 if value == state_value and name == event]
        if not found:
            raise LookupError(f"{cls.__name__}: no {event} from {state_value}")
        held = role_names(user)
        return next((actor for actor in found if actor.role in held), found[0])

    @classmethod
    def waiting_clause(cls, user):
        """Items waiting for this user: in a state after the first whose
        actor's role the user holds, within that actor's scope."""
        roles, org = role_names(user), getattr(user, "organisation", None)
        if org is None:
            return false()
        initial = next(state.value for state in cls.states if state.initial)
        clauses = {(value, actor) for value, _, actor in cls.actors()
                   if (value != initial or cls.initial_waits) and actor.role in roles}
        return or_(false(), *[(cls.item_model.state == value)
                              & actor.scope.clause(cls.item_model, org)
                              for value, actor in clauses])

    @classmethod
    def may_take(cls, user, item, event) -> bool:
        """Whether the user is the actor of `event` from the item's state
        (guards such as a required opinion are checked when it is taken)."""
        for value, name, actor in cls.actors():
            if value == item.state and name == event:
                try:
                    actor.check(user=user, item=item)
                    return True
                except Refused:
                    continue  # another actor (AnyOf) may still take it
        return False

    @classmethod
    def submits_from(cls, state_value) -> bool:
        """Whether the work in this state is to (re)submit, not to review."""
        return any(value == state_value and event == "submit"
                   for value, event, _ in cls.actors())

    @classmethod
    def next_actor(cls, state_value) -> Actor | AnyOf | None:
        """Who acts next when an item waits in this state (AnyOf when
        several may: its role reads “采购单位经办岗或代理机构”)."""
        found = list(dict.fromkeys(actor for value, _, actor in cls.actors()
                                   if value == state_value))
        if len(found) > 1:
            return AnyOf(tuple(found))
        return found[0] if found else None


_ACTORS: dict = {}


def _declared_actors(chain):
    for state in chain.states:
        for transition in state.transitions:
            named = [spec.func.__self__ for spec in transition.validators
                     if isinstance(getattr(spec.func, "__self__", None), (Actor, AnyOf))]
            if len(named) != 1:
                raise TypeError(f"{chain.__name__}: transition {transition.event} from "
                                f"{state.value} must name exactly one Actor")
            for actor in (named[0].actors if isinstance(named[0], AnyOf) else named[:1]):
                yield state.value, str(transition.event), actor


def _display_name(user) -> str:
    # Chinese names: 姓 (first_name) then 名 (last_name), as the demo stores them.
    name = f"{user.first_name or ''}{user.last_name or ''}".strip()
    return name or user.username


def take(chain_cls, item, event: str, user, opinion: str = "", seen_version=None):
    """Move item one step and commit it with its approval record.

    Raises Refused (nothing changed) when the step is not allowed, and when
    someone else moved the item first.
    """
    if seen_version not in (None, "") and str(seen_version) != str(item.version):
        raise Refused(stale_message(item))
    if message := text.pasted_error("审批意见", opinion):
        raise OpinionRefused(message)
    before = item.state
    machine = chain_cls(item)
    try:
        machine.send(event, user=user, item=item, opinion=opinion)
        if event != "reject" and (message := nobody_next(chain_cls, item, event)):
            raise Refused(message)
    except TransitionNotAllowed:
        db.session.rollback()
        raise Refused(f"“{item}”当前状态为“{before}”，不能{EVENT_RESULTS.get(event, event)}")
    except Refused:
        db.session.rollback()
        raise
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Refused(stale_message(item)) from None


def nobody_next(chain_cls, item, event) -> str | None:
    """Why nobody could take the step the item now waits for, if nobody can.
    Sent forward to a step no account may take (a county whose regulator
    has no 监管初审岗 account yet), it would wait in no one's 【待办任务】
    for ever. A 退回 goes back to whoever filed it, and is not asked."""
    waiting_for = chain_cls.next_actor(item.state)
    if waiting_for is None:
        return None  # a final state
    actors = waiting_for.actors if isinstance(waiting_for, AnyOf) else (waiting_for,)
    # Not flushed first: the item's conditional UPDATE is the commit's, where
    # a reviewer who lost the race is told so.
    with db.session.no_autoflush:
        for actor in actors:
            # With their organisations (and a centre's region) in the same
            # statement: a province has hundreds of regulators.
            holders = db.session.scalars(
                select(OrgUser).join(OrgUser.roles)
                .where(Role.name == actor.role, OrgUser.active.is_(True),
                       OrgUser.organisation_id.is_not(None))
                .options(joinedload(OrgUser.organisation)
                         .joinedload(Organisation.region))).unique()
            if any(actor.scope.allows(holder.organisation, item) for holder in holders):
                return None
    step = chain_cls.steps.get(item.state, item.state)
    where = "或".join(f"{actor.scope.who(item)}尚无启用的“{actor.role}”账号" for actor in actors)
    done = EVENT_RESULTS[event]
    return (f"{done}后“{step}”将无人办理：{where}。"
            f"请联系系统管理员开通该账号后再{done}")


def timeline(chain_key: str, item_id: int) -> list[ApprovalRecord]:
    return (db.session.query(ApprovalRecord)
            .filter_by(chain=chain_key, item_id=item_id)
            .order_by(ApprovalRecord.id).all())
