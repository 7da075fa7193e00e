"""【待办任务】: every item waiting for the signed-in user, newest first.

Items come from each approval chain (workflows.engine.Chain.waiting_clause),
so what a user sees here is exactly what they may act on. 【进入审批】 opens
the review page of the view that mixes in ApprovalViews for that chain.
"""
from flask import g, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import lazy_gettext as _

from ...extensions import db
from .approval import ApprovalViews
from .base import PAGE_SIZE, requested_page

def waiting_items(appbuilder, user, search: str = "") -> list[dict]:
    """What waits for the user across all chains. A work queue is short, so
    the rows are merged and searched in Python."""
    rows = []
    for view in appbuilder.baseviews:
        if not isinstance(view, ApprovalViews) or view.chain is None:
            continue
        chain = view.chain
        for item in db.session.query(chain.item_model).filter(chain.waiting_clause(user)):
            rows.append({
                "chain": chain.key, "title": chain.title, "id": item.id, "label": str(item),
                "unit": item.unit_name, "state": item.state,
                "step": chain.steps.get(item.state, item.state), "since": item.changed_on,
                "returned": chain.submits_from(item.state),
                "opinion": getattr(item, "last_opinion", None),
                "review_url": url_for(f"{view.endpoint}.review", pk=item.id),
                "edit_url": url_for(f"{view.endpoint}.edit", pk=item.id),
            })
    if search:
        rows = [r for r in rows if search in r["label"] or search in r["unit"]]
    rows.sort(key=lambda row: (row["since"], row["id"]), reverse=True)
    return rows


class TodoView(BaseView):
    route_base = "/todo"
    class_permission_name = "Todo"
    method_permission_name = {"list": "read"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        search = (request.args.get("q") or "").strip()
        rows = waiting_items(self.appbuilder, g.user, search)
        page, pages = requested_page(len(rows))
        return self.render_template(
            "todo/list.html", title=_("待办任务"), search=search, total=len(rows),
            rows=rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page=page, pages=pages)


class TodoApi(BaseApi):
    resource_name = "todo"
    class_permission_name = "Todo"
    method_permission_name = {"get_list": "read"}
    allow_browser_login = False

    @api_expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        rows = waiting_items(self.appbuilder, g.user, (request.args.get("q") or "").strip())
        return self.response(200, count=len(rows), result=[
            {"chain": r["chain"], "title": r["title"], "id": r["id"], "label": r["label"],
             "unit": r["unit"], "state": r["state"], "step": r["step"],
             "since": r["since"].isoformat(timespec="seconds"),
             "opinion": r["opinion"]} for r in rows])
