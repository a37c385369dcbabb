from django.apps import AppConfig


class SeamsConfig(AppConfig):
    name = "seams"
