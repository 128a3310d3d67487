"""What the page header shows about the signed-in user: name, employer and active roles."""

from users.selectors import active_role_assignments


def current_user_summary(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Evaluated lazily, so pages that never render the header pay no query.
    return {"header_roles": lambda: list(active_role_assignments(user=user))}
