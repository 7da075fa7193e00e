"""Shared extension objects, bound to an app in create_app()."""
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate

db = SQLA(model_class=Model)
migrate = Migrate()
