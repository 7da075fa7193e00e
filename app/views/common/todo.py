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
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from .approval import ApprovalViews
from .base import PAGE_SIZE, TranslatedResponses, requested_page

MAX_API_PAGE = 100


class Queue:
    """What waits for the user across all chains, newest first, counted and
    paged in SQL: a province's queue may hold thousands of items, and a page
    shows twenty. Each chain gives at most its newest page × size (时间, id)
    pairs; those are merged, and only the page's items are loaded."""

    def __init__(self, appbuilder, user, search: str = ""):
        self.parts = []
        for view in appbuilder.baseviews:
            if not isinstance(view, ApprovalViews) or view.chain is None:
                continue
            model = view.chain.item_model
            clause = view.chain.waiting_clause(user)
            if search:
                clause = and_(clause, model.label_matches(search))
            self.parts.append((view, model, clause))
        self.searching = bool(search)
        self._read_with_count = {}  # part → (limit, its newest pairs), see count()

    def count(self, size: int = PAGE_SIZE) -> int:
        """The items waiting. A search's WHERE is the costly part (the text is
        looked for in every waiting item's number and related names: 25,000
        of them for one unit at 1,000,000 plans), so a search reads each
        chain's first page with its total (count(*) OVER ()) in one statement
        instead of two."""
        if not self.searching:
            return sum(db.session.scalar(select(func.count()).select_from(model).where(clause))
                       for _view, model, clause in self.parts)
        total = 0
        for n, (_view, model, clause) in enumerate(self.parts):
            rows = db.session.execute(self._newest(model, clause, size, func.count().over())).all()
            self._read_with_count[n] = (size, [(since, pk) for since, pk, _total in rows])
            total += rows[0][2] if rows else 0
        return total

    @staticmethod
    def _newest(model, clause, limit, *extra):
        return (select(model.changed_on, model.id, *extra).where(clause)
                .order_by(model.changed_on.desc(), model.id.desc()).limit(limit))

    def page(self, page: int, size: int = PAGE_SIZE) -> list[dict]:
        newest = []
        for n, (_view, model, clause) in enumerate(self.parts):
            limit, pairs = self._read_with_count.get(n, (0, None))
            # Read again only when the first read stopped at its limit short
            # of this page: fewer pairs than that are the chain's whole result.
            if pairs is None or len(pairs) == limit < page * size:
                pairs = db.session.execute(self._newest(model, clause, page * size)).all()
            newest += [(since, pk, n) for since, pk in pairs[:page * size]]
        newest.sort(reverse=True)
        shown = newest[(page - 1) * size: page * size]
        items = {}
        for n, (_view, model, _clause) in enumerate(self.parts):
            ids = [pk for _since, pk, part in shown if part == n]
            if ids:
                loads = [selectinload(getattr(model, name)) for name in model.label_loads]
                items.update({(n, item.id): item for item in db.session.scalars(
                    select(model).where(model.id.in_(ids)).options(*loads))})
        return [self._row(self.parts[n][0], items[(n, pk)]) for _since, pk, n in shown]

    @staticmethod
    def _row(view, item) -> dict:
        chain = view.chain
        return {
            "chain": chain.key, "title": chain.title, "id": item.id, "label": str(item),
            "unit": item.unit_name, "state": item.state,
            "step": chain.steps.get(item.state, item.state), "since": item.changed_on,
            "returned": chain.submits_from(item.state),
            "opinion": getattr(item, "last_opinion", None),
            "review_url": url_for(f"{view.endpoint}.review", pk=item.id),
            "edit_url": url_for(f"{view.endpoint}.edit", pk=item.id),
        }


class TodoView(BaseView):
    route_base = "/todo"
    class_permission_name = "Todo"
    method_permission_name = {"list": "read"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        search = (request.args.get("q") or "").strip()
        queue = Queue(self.appbuilder, g.user, search)
        total = queue.count()
        page, pages = requested_page(total)
        return self.render_template(
            "todo/list.html", title=_("待办任务"), search=search, total=total,
            rows=queue.page(page), page=page, pages=pages)


class TodoApi(TranslatedResponses, BaseApi):
    resource_name = "todo"
    class_permission_name = "Todo"
    method_permission_name = {"get_list": "read"}
    allow_browser_login = False

    @api_expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """【待办任务】: what waits for the caller, newest first, one page.
        ---
        get:
          summary: 待办任务 (one page; count is the whole queue)
          parameters:
          - {in: query, name: q, schema: {type: string}, description: 编号、项目名称或单位 (substring)}
          - {in: query, name: page, schema: {type: integer, minimum: 1}}
          - {in: query, name: psize, schema: {type: integer, minimum: 1, maximum: 100}}
          responses:
            200:
              description: one page of waiting items and the total
            401:
              $ref: '#/components/responses/401'
        """
        queue = Queue(self.appbuilder, g.user, (request.args.get("q") or "").strip())
        size = min(max(request.args.get("psize", PAGE_SIZE, type=int), 1), MAX_API_PAGE)
        total = queue.count(size)
        page, pages = requested_page(total, size)
        rows = queue.page(page, size)
        return self.response(200, count=total, page=page, pages=pages, result=[
            {"chain": r["chain"], "title": r["title"], "id": r["id"], "label": r["label"],
             "unit": r["unit"], "state": r["state"], "step": r["step"],
             "since": r["since"].isoformat(timespec="seconds"),
             "opinion": r["opinion"]} for r in rows])
