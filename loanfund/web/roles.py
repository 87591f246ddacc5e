"""Role checks for pages: a page outside the user's role answers 404, like an object that is not theirs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from loanfund.domain.lifecycle import Role


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The page is for vetted users of ``roles``; the roles stay on the view (``allowed_roles``) for the navigation
    to ask (``web.navigation``)."""
    allowed = frozenset(roles)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role_enum not in allowed or not current_user.vetted:
                abort(404)  # an enterprise sign-up not yet vetted has only its home page, its account and its inbox
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorate
