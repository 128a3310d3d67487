"""The one visibility method every model with restricted rows carries.

``Model.objects.visible_to(user, action)`` hands the decision to ``users/access.py``; nothing
else in the code base decides who sees what.
"""

from django.db import models


class VisibleToQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        from users.access import restrict  # users imports offices; import late to avoid a cycle

        return restrict(self, user, action)
