"""The inbox's one form: marking messages read (CSRF only)."""

from __future__ import annotations

from loanfund.web.forms import Form


class ReadForm(Form):
    pass
