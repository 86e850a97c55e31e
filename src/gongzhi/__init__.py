
# the Celery app must be loaded with Django so @shared_task binds to it (and to its settings)
from .celery import app as celery_app

__all__ = ["celery_app"]
