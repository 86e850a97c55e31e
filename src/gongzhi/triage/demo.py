"""The demo's classifier: the shared data plus the demo city's own year of appeals (whose categories its workers
chose), so suggestions work on first start."""
import importlib

from django.apps import apps as django_apps

from .models import ClassifierModel, LabelMapping
from .services import classifier_train


def demo_classifier() -> ClassifierModel:
    if not LabelMapping.objects.exists():  # demo_city --reset flushes what migrations seeded
        importlib.import_module("gongzhi.triage.migrations.0002_label_mappings").seed(django_apps, None)
    return classifier_train()
