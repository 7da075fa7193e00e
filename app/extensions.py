"""Shared extension objects, bound to an app in create_app()."""
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA(model_class=Model)
migrate = Migrate()


def read(statement, params=None):
    """Run a SELECT of columns in the session's transaction, on its
    connection: the ORM layer adds nothing to plain rows but 0.1–0.3 ms a
    statement (the 项目监督 list and the website's lists, docs/benchmarks.md)."""
    return db.session.connection().execute(statement, params)

# Global CSRF: FAB's action_post and delete endpoints are not FlaskForms,
# so only app-wide protection covers them. FAB exempts its REST blueprints.
csrf = CSRFProtect()
