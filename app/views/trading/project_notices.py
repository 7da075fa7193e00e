"""【项目管理】→【项目公告】 on a trading site: the notices GPS published for
the user's projects (an agency its own, 中心业务科室 its region), as they
stand on the website. Read-only: GPS owns notices (notice.published)."""
from flask import url_for
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _
from markupsafe import Markup

from ...models import PublishedNotice
from ...public.sanitise import clean_html
from ...scope import PublishedNoticeScope
from ..common.base import ReadWriteModelView, when
from ..common.counting import CappedCount


def _public_link(notice_id) -> Markup:
    href = url_for("website.notice", notice_id=int(notice_id))
    return Markup('<a href="{}" target="_blank" rel="noopener">{}</a>').format(
        href, _("查看网站公告"))


def _body(html) -> Markup:
    # Sanitised when stored (store_notice) and again here, as the website
    # does: only the cleaned body is marked safe.
    return Markup('<div style="white-space: normal">{}</div>').format(
        Markup(clean_html(html)))


def _lots(lots) -> str:
    return "；".join(f"{lot.get('code')} {lot.get('name')}（{lot.get('budget') or '-'} 元）"
                    for lot in lots or [])


class OnTheWebsite(BaseFilter):
    """A withdrawn notice is off the website (its page is 404), so off this
    list too. Written `IS NOT false` (the column is never NULL), which no
    index answers: SQLite keeps no statistics of the website's tables
    (app/sqlite.py UNANALYSED) and took `published = 1` for a selective
    index, read every notice by it and sorted them (440 ms a page at a
    city's 417,000); now it walks ix_published_notice_published_at newest
    first and stops at the page (0.1 ms)."""

    name = "网站在列"
    arg_name = "published"

    def apply(self, query, value):
        return query.filter(PublishedNotice.published.is_not(False))


class ProjectNoticeView(ReadWriteModelView):
    datamodel = CappedCount(PublishedNotice)
    class_permission_name = "ProjectNotice"
    route_base = "/project-notices"
    base_permissions = ["can_read"]
    list_title = _("项目公告")
    show_title = _("项目公告")
    label_columns = {"column": _("公告类型"), "title": _("公告标题"),
                     "project_code": _("项目编号"), "plan_no": _("计划编号"),
                     "published_at": _("发布时间"), "lots": _("涉及标段"),
                     "id": _("网站公告"), "body_html": _("公告内容")}
    list_columns = ["column", "title", "project_code", "published_at", "id"]
    show_columns = ["column", "title", "project_code", "plan_no", "published_at", "lots",
                    "id", "body_html"]
    search_columns = ["column", "title", "project_code", "published_at"]
    base_filters = [["id", PublishedNoticeScope, None], ["published", OnTheWebsite, None]]
    base_order = ("published_at", "desc")
    formatters_columns = {"published_at": when, "id": _public_link, "body_html": _body,
                          "lots": _lots}
