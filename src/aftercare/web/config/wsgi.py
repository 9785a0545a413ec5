"""The WSGI application that waitress (``aftercare serve``) or any WSGI server runs."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.web.config.settings")

application = get_wsgi_application()
