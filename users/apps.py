from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    """Users, roles and the access policy (users/access/)."""

    name = "users"
    verbose_name = _("Users and access")

    def ready(self) -> None:
        from users import access, signals  # noqa: F401  (signals connect on import)

        access._register_policies()
