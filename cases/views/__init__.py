"""Case screens, one module a tab or concern, each page framed by the shell (shell.py). Every
view reaches its case through case_get_for_user(), and every view of a case record is
audited. The shell is the public part: other apps' tabs frame their pages with it."""

from .shell import case_for_page, case_form_tab, case_page_render

__all__ = ["case_for_page", "case_form_tab", "case_page_render"]
