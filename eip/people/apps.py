from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "eip.people"
    label = "people"
    verbose_name = "People and organisations"
