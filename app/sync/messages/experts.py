"""experts.drawn (GPS → platform) and committee.formed (platform → GPS):
the payload schemas only, as docs/experts.md sets them out. The domain
(app/committee.py) applies them and registers both types from create_app(),
so nothing here imports it.

No 身份证号 or mobile number is ever part of either payload: a field the
schema does not know is dropped (EXCLUDE), so a sender that adds one does
not get it stored.
"""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ...rules.committee import chairs_error
from .common import KEY, Flag, in_years, items, unique

# Spelled out, not imported from app.models, so the contract stays the
# contract even if the schema grows another state.
DRAWN_ROLES = ("正选", "备选")
ATTENDANCE = ("待通知", "参加", "不参加", "请假")
SOURCES = ("抽取专家", "备选专家", "采购人代表")
STATES = ("在册", "备选", "缺席", "已替换")
MAX_EXPERTS = 99


class _Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class DrawnExpertSchema(_Strict):
    key = fields.String(required=True, validate=validate.Length(1, 40))
    name = fields.String(required=True, validate=validate.Length(1, 32))
    speciality = fields.String(required=True, validate=validate.Length(1, 64))
    work_unit = fields.String(required=True, validate=validate.Length(1, 128))
    role = fields.String(required=True, validate=validate.OneOf(DRAWN_ROLES))
    position = fields.Integer(required=True, strict=True, validate=validate.Range(1, 999))
    attendance = fields.String(required=True, validate=validate.OneOf(ATTENDANCE))


class ExpertsDrawnPayload(_Strict):
    request_no = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    project_code = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    lot_code = fields.String(required=True, validate=[validate.Length(1, 40), KEY])
    # Local time of the 评审 (naive ISO 8601), as the sites keep their times.
    review_at = fields.NaiveDateTime(required=True, validate=in_years)
    review_place = fields.String(required=True, validate=validate.Length(1, 200))
    experts = fields.List(fields.Nested(DrawnExpertSchema), required=True,
                          validate=[items(1, MAX_EXPERTS), unique("key")])


class CommitteeMemberSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(1, 32))
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    speciality = fields.String(allow_none=True, load_default=None,
                               validate=validate.Length(max=64))
    work_unit = fields.String(allow_none=True, load_default=None,
                              validate=validate.Length(max=128))
    is_chair = Flag(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))


def _one_chair(members) -> None:
    # None yet is a committee being formed, sent at each change; two never is.
    if message := chairs_error(members):
        raise ValidationError(message)


class CommitteeFormedPayload(_Strict):
    project_code = fields.String(required=True, validate=[validate.Length(1, 32), KEY])
    lot_code = fields.String(required=True, validate=[validate.Length(1, 40), KEY])
    members = fields.List(fields.Nested(CommitteeMemberSchema), required=True,
                          validate=[items(high=MAX_EXPERTS * 2), _one_chair])


def experts_entity(payload) -> str:
    return f"expert_request:{payload['request_no']}"


def committee_entity(payload) -> str:
    return f"committee:{payload['lot_code']}"
