"""`closeout serve`: run closeout the production way, with waitress.

DEBUG is off whatever the environment says, static files come from whitenoise (which
finds them in the apps, so no collectstatic step is needed), and the database is
migrated first. A busy port or an unreachable database ends the command with a clear
message and a non-zero exit instead of a traceback.

The helpers here are shared with `closeout demo`.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, OutputWrapper
from django.utils.translation import gettext as _

from closeout.ledger.management.base import LedgerCommand


class ServerCommand(LedgerCommand):
    """A ledger command that serves: it binds its port before anything else, so a busy
    port fails at once, and it reports an unreachable database in one line."""

    server: Any = None

    def bind(self, options: dict[str, Any]) -> Any:
        """Open the listening socket (None when the command will not serve)."""
        raise NotImplementedError

    def execute(self, *args: Any, **options: Any) -> Any:
        self.server = self.bind(options)
        try:
            return super().execute(*args, **options)
        finally:
            if self.server is not None:
                self.server.close()


def add_listen_arguments(parser: Any) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)")
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8000,
        help=_("port to listen on (default 8000; 0 picks a free one)"),
    )


def freeze_startup_objects() -> None:
    """Move everything loaded at start-up (modules, settings, URL maps, templates) out of
    the garbage collector's sight: a long-running server then pays no collection pauses
    for objects that live as long as it does (they cost tens of ms per request otherwise)."""
    gc.collect()
    gc.freeze()


def request_body_cap() -> int:
    """The longest body the server reads: twice the longest request closeout accepts
    (its files and its form fields). waitress receives a whole body before the
    application sees it; a body up to the cap is read and refused by the application
    with its own message, a longer one is refused at its headers (413)."""
    files = max(settings.EVIDENCE_MAX_TOTAL_BYTES, settings.PLAN_MAX_UPLOAD_BYTES)
    return 2 * (files + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0))


def open_server(host: str, port: int, threads: int = 8) -> Any:
    """Bind the listening socket now, so a busy port fails before any other work."""
    from django.core.wsgi import get_wsgi_application
    from waitress import create_server

    application = get_wsgi_application()
    freeze_startup_objects()
    try:
        return create_server(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="closeout",
            max_request_body_size=request_body_cap(),
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                _(
                    "cannot listen on %(host)s:%(port)s: the port is already in use; "
                    "stop the other server or choose another port with --port"
                )
                % {"host": host, "port": port}
            ) from exc
        raise CommandError(
            _("cannot listen on %(host)s:%(port)s: %(error)s")
            % {"host": host, "port": port, "error": exc.strerror or exc}
        ) from exc


def server_urls(server: Any) -> list[str]:
    """Where the server listens, as URLs (several when a host name has several addresses)."""
    pairs = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)
    ]
    return [f"http://{f'[{h}]' if ':' in str(h) else h}:{p}/" for h, p in pairs]


def run_until_stopped(server: Any, stdout: OutputWrapper) -> None:
    """Serve until Ctrl-C or SIGTERM, then return normally (the caller closes)."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    stdout.write(_("closeout stopped."))


class Command(ServerCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # A property, because argparse needs a real str (see also the argument help).
        return _("Serve closeout in production mode (waitress, DEBUG off).")

    def add_arguments(self, parser: Any) -> None:
        add_listen_arguments(parser)
        parser.add_argument("--threads", type=int, default=8, help=_("worker threads (default 8)"))

    def bind(self, options: dict[str, Any]) -> Any:
        if options["threads"] < 1:
            raise CommandError(_("--threads must be at least 1"))
        settings.DEBUG = False
        return open_server(options["host"], options["port"], options["threads"])

    def handle(self, *args: Any, **options: Any) -> None:
        server = self.server
        for url in server_urls(server):
            self.stdout.write(_("closeout is listening on %(url)s (Ctrl-C to stop)") % {"url": url})
        self.stdout.flush()
        run_until_stopped(server, self.stdout)
