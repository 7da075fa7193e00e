"""项目进场受理: 代理机构 【提交】 → 中心业务科室 审核 → 受理通过.

退回 returns the project to the agency with the opinion. On 受理通过 the
project and its lots go to GPS (project.accepted) in the same transaction.
"""
from statemachine import State

from .. import projects
from ..models import TradingProject
from .engine import Actor, Chain, OwnAgency, Refused, RegionCentre, opinion_given

AGENCY = Actor("代理机构", OwnAgency)
CENTRE = Actor("中心业务科室", RegionCentre)


def ready(item=None, **kwargs):
    if refusal := projects.submit_refusal(item):
        raise Refused(refusal)


def plan_standing(item=None, **kwargs):
    if refusal := projects.withdrawn_plan_refusal(item):
        raise Refused(f"{refusal}；请退回代理机构")


class AcceptanceChain(Chain):
    key = "acceptance"
    title = "项目进场受理"
    item_model = TradingProject
    steps = {"草稿": "代理机构提交", "已退回": "代理机构重新提交", "待受理审核": "中心业务科室审核"}

    draft = State("草稿", initial=True, value="草稿")
    returned = State("已退回", value="已退回")
    review = State("待受理审核", value="待受理审核")
    accepted = State("受理通过", final=True, value="受理通过")

    submit = (draft.to(review, validators=[AGENCY.check, ready])
              | returned.to(review, validators=[AGENCY.check, ready]))
    approve = review.to(accepted, validators=[CENTRE.check, plan_standing])
    reject = review.to(returned, validators=[CENTRE.check, opinion_given])

    def on_enter_accepted(self, user=None):
        projects.accepted(self.model, user)
        projects.send_to_gps(self.model, "project.accepted")
