"""The choice fields (选择框) of every declared form: FAB's EnumField with a
refusal the form can show.

FAB's EnumField refuses a value that is none of the column's choices by
raising a bare ValueError in pre_validate, which WTForms does not catch (it
catches its ValidationError): a 500 for a form posted without the select,
with an empty one, or with a value a script made up. ChoiceField says
请从列表中选择 under the field instead, and the form is shown again.
"""
from flask_appbuilder.fields import EnumField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_babel import lazy_gettext as _
from wtforms.validators import InputRequired, Optional, ValidationError

from .stored_words import word

NOT_A_CHOICE = _("请从列表中选择")


class ChoiceField(EnumField):
    def iter_choices(self):
        # Each option's text in the reader's language; its value the stored one.
        for value, label, *rest in super().iter_choices():
            yield (value, word(label), *rest)

    def pre_validate(self, form):
        if self.data in (None, "") and not self.flags.required:
            return
        if not any(self.data == self.coerce(value) for value, _label in self.choices):
            raise ValidationError(str(NOT_A_CHOICE))


def choice_fields(datamodel, columns, labels, descriptions=None, validators=None) -> dict:
    """{column: field} for the choice (Enum) columns among `columns`, as
    FAB's form converter makes them: label, description, the view's
    validators, required unless nullable, the column default."""
    descriptions, validators = descriptions or {}, validators or {}
    fields = {}
    for name in columns or []:
        if datamodel.is_relation(name) or not datamodel.is_enum(name):
            continue
        kind = datamodel.list_columns[name].type
        required = InputRequired() if not datamodel.is_nullable(name) else Optional()
        fields[name] = ChoiceField(
            enum_class=kind.enum_class, enums=kind.enums, label=labels.get(name, ""),
            description=descriptions.get(name, ""),
            validators=[*validators.get(name, []), required], widget=Select2Widget(),
            default=datamodel.get_col_default(name))
    return fields


class CheckedChoiceForms:
    """Mixin for a FAB model view (before ModelView in its bases): the choice
    columns of its add, edit and search forms get ChoiceField. A view's own
    extra field still wins; nothing of FAB's is patched."""

    def _init_forms(self):
        # New dicts: a class's own may be shared (edit = add) and by every app.
        for form in ("add", "edit"):
            name = f"{form}_form_extra_fields"
            setattr(self, name, {
                **choice_fields(self.datamodel, getattr(self, f"{form}_columns", None),
                                self.label_columns,
                                getattr(self, "description_columns", None),
                                getattr(self, "validators_columns", None)),
                **(getattr(self, name, None) or {})})
        if getattr(self, "search_columns", None):  # a chart view has no search form
            self.search_form_extra_fields = {
                **choice_fields(self.datamodel, self.search_columns, self.label_columns),
                **(self.search_form_extra_fields or {})}
        super()._init_forms()
