"""Payload pieces several message types share."""
from marshmallow import EXCLUDE, Schema, fields, validate


class OrganisationRef(Schema):
    """An organisation as the other site knows it: its name and its
    统一社会信用代码 (ids differ between sites' databases)."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(1, 128))
    credit_code = fields.String(required=True, validate=validate.Length(18, 18))
