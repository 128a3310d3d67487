from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """Partnership agreements, municipal services, operating and cooperation agreements.

    Empty until the agreements issue; the app exists so the layout of DESIGN.md holds from the
    first migration.
    """

    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from agreements.reports import AgreementVersionReport
        from reports.definitions import register

        register(AgreementVersionReport())
