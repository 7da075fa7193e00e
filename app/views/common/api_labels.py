"""REST APIs labelled in the site's words.

FAB gives an API column it has no label for its name made English
("platform_code" → "Platform Code", "unit.name" → "Unit Name") and titles
from the class ("List Plan Replica", "Add Notice"); clients that build their
screens from `label_columns` and `list_title` showed those. Each API's
model usually has a page whose labels already say it in Chinese: once every
view is registered, an API takes the labels it lacks from the pages of its
model (its own first), the few names every model shares from COMMON, and
"unit.name" / "plan_id" from the relation's label; its titles from that
page's list title. What is still English after that is a missing label, and
tests/test_api_labels.py names it."""
from flask_appbuilder import ModelRestApi, ModelView
from flask_babel import lazy_gettext as _

COMMON = {"id": _("ID"), "version": _("版本号"), "platform_code": _("交易平台代码"),
          "region_code": _("行政区划代码")}


def label_apis(appbuilder) -> None:
    views = [view for view in appbuilder.baseviews if isinstance(view, ModelView)]
    for api in appbuilder.baseviews:
        if isinstance(api, ModelRestApi):
            _label(api, [view for view in views if view.datamodel.obj is api.datamodel.obj])


def _label(api, pages: list) -> None:
    # FAB writes its English into the class's own dict (often shared with a
    # page: PlanApi's LABELS are PlanView's), so each label is judged by its
    # text, not by where it sits.
    known = dict(COMMON)
    for view in (*pages, api):
        known.update({name: label for name, label in view.label_columns.items()
                      if not _made_by_fab(view, name, label)})
    # A page may show another thing in its "id" column (采购公告发布's 操作, a
    # lot's 评委会状态); in an API it is the record's key.
    known["id"] = COMMON["id"]
    api.label_columns = {name: (_found(name, known) or label)
                         if _made_by_fab(api, name, label) else label
                         for name, label in api.label_columns.items()}
    _title(api, pages)


def _found(name: str, known: dict):
    if name in known:
        return known[name]
    relation, _dot, rest = name.partition(".")
    if rest and relation in known:  # unit.name → 采购单位
        return known[relation]
    if name.endswith("_id") and name[:-3] in known:  # plan_id → 采购计划ID
        return _("%(name)sID", name=known[name[:-3]])
    return None


def _made_by_fab(view, name: str, label) -> bool:
    return isinstance(label, str) and label == view._prettify_column(name)


def _title(api, pages: list) -> None:
    if type(api).list_title:
        title = api.list_title
    else:
        titled = [page.list_title for page in pages if type(page).list_title]
        if not titled:
            return
        title = api.list_title = titled[0]
    cls = type(api)
    if not cls.show_title:
        api.show_title = _("%(name)s详情", name=title)
    if not cls.add_title:
        api.add_title = _("增加%(name)s", name=title)
    if not cls.edit_title:
        api.edit_title = _("编辑%(name)s", name=title)
