"""Shared extension objects, bound to an app in create_app()."""
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA(model_class=Model)
migrate = Migrate()

# Global CSRF: FAB's action_post and delete endpoints are not FlaskForms,
# so only app-wide protection covers them. FAB exempts its REST blueprints.
csrf = CSRFProtect()
