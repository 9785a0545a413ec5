"""A bare Django JSON view, the yardstick for ``bench/web.py``: no middleware, no database.

Served as the app is (``aftercare.cli.web_processes``: one waitress process per core,
the same threads), so a page's ratio to it measures what the app adds to Django itself.

Run: python bench/bare.py --port N [--processes N]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    # Signs nothing: no sessions here.
    SECRET_KEY="bench-only-" + "x" * 50,
    MIDDLEWARE=[],
    PROXY_COUNT=0,
    INSTALLED_APPS=[],
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402


def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "items": [1, 2, 3]})


urlpatterns = [path("", hello)]
application = get_wsgi_application()


def main() -> None:
    from aftercare.cli.web_processes import WebProcesses, bind, process_count, serve_socket

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--processes", type=int, default=process_count())
    args = parser.parse_args()
    listener = bind("127.0.0.1", args.port)
    # The web processes import this module by name: they find it beside this file.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), *sys.path])
    others = WebProcesses(listener, args.processes - 1, app="bare:application")
    server = serve_socket(application, listener)
    signal.signal(signal.SIGTERM, _interrupt)
    others.start()
    print("Serving", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        others.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
