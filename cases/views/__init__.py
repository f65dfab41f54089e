"""Case screens, one module a tab or concern, each page framed by the shell (shell.py). Every
view reaches its case through case_get_for_user(), and every view of a case record is
audited."""
