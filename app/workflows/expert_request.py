"""专家抽取申请: 采购单位经办岗 or the entrusted 代理机构 提交 → the region's
监管初审岗 通过 (已通过: a regulator may now draw) or 退回 with the opinion.

退回 returns it to the applicant, who edits it and 提交 again.
"""
import datetime as dt

from statemachine import State

from .. import expert_draw, expert_requests
from ..models import ExpertRequest
from .engine import (Actor, AnyOf, Chain, OwnAgency, OwnUnit, Refused, RegionRegulator,
                     opinion_given)

APPLICANT = AnyOf((Actor("采购单位经办岗", OwnUnit), Actor("代理机构", OwnAgency)))
FIRST_REVIEWER = Actor("监管初审岗", RegionRegulator)


def ready(item=None, **kwargs):
    if refusal := expert_requests.submit_refusal(item):
        raise Refused(refusal)


def review_ahead(item=None, **kwargs):
    # An application whose 评审时间 has passed can no longer be drawn for
    # (app/rules/expert_draw.py): 退回 it so the applicant sets a new time.
    if item.review_at <= dt.datetime.now():
        raise Refused(f"评审时间 {item.review_at:%Y-%m-%d %H:%M} 已过，不能审核通过；"
                      "请退回申请人修改评审时间")


def lot_free(item=None, **kwargs):
    # Two applications submitted for one lot before either was approved.
    if refusal := expert_requests.lot_taken(item):
        raise Refused(f"{refusal}；不能审核通过，请退回申请人")


def pool_enough(item=None, **kwargs):
    # 已通过 is final: an application the library cannot serve would be
    # stuck, neither drawn for nor returned.
    if refusal := expert_draw.pool_refusal(item):
        raise Refused(f"{refusal}，不能审核通过；请退回申请人调整专家需求")


class ExpertRequestChain(Chain):
    key = "expert_request"
    title = "专家抽取申请"
    item_model = ExpertRequest
    steps = {"草稿": "申请人提交", "已退回": "申请人重新提交", "待监管初审": "监管初审"}

    draft = State("草稿", initial=True, value="草稿")
    returned = State("已退回", value="已退回")
    first_review = State("待监管初审", value="待监管初审")
    approved = State("已通过", final=True, value="已通过")

    submit = (draft.to(first_review, validators=[APPLICANT.check, ready])
              | returned.to(first_review, validators=[APPLICANT.check, ready]))
    approve = first_review.to(approved,
                              validators=[FIRST_REVIEWER.check, review_ahead, lot_free,
                                          pool_enough])
    reject = first_review.to(returned, validators=[FIRST_REVIEWER.check, opinion_given])

    def on_enter_approved(self):
        self.model.approved_at = dt.datetime.now()
