"""变更公告 column: 代理机构 adjusts the times and 【提交】s → 中心业务科室 审核 → 已生效."""
from statemachine import State

from .. import time_changes
from ..models import TimeChange
from .engine import Actor, Chain, OwnAgency, Refused, RegionCentre, opinion_given

AGENCY = Actor("代理机构", OwnAgency)
CENTRE = Actor("中心业务科室", RegionCentre)


def times_given(item=None, **kwargs):
    if errors := time_changes.errors(item):
        raise Refused("；".join(errors.values()))


class TimeChangeChain(Chain):
    key = "time_change"
    title = "变更公告时间调整"
    item_model = TimeChange
    steps = {"待调整": "代理机构提交", "已退回": "代理机构重新提交", "待审核": "中心业务科室审核"}
    initial_waits = True  # a 变更公告 arrived: the agency has work to do

    pending = State("待调整", initial=True, value="待调整")
    returned = State("已退回", value="已退回")
    review = State("待审核", value="待审核")
    applied = State("已生效", final=True, value="已生效")

    submit = (pending.to(review, validators=[AGENCY.check, times_given])
              | returned.to(review, validators=[AGENCY.check, times_given]))
    approve = review.to(applied, validators=CENTRE.check)
    reject = review.to(returned, validators=[CENTRE.check, opinion_given])

    def on_enter_applied(self, user=None):
        time_changes.apply(self.model, user)
