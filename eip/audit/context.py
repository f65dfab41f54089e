"""Who is acting and from where, for the audit trail of work done inside a request.
Set by RequestContextMiddleware; tasks and commands run without one."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
