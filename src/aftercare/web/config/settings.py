"""Django settings, read from the environment (see ``env.py``).

AFTERCARE_DATA_DIR      where the SQLite database and the development secret key live
                        (default: $XDG_DATA_HOME/aftercare or ~/.local/share/aftercare)
AFTERCARE_DEBUG         true or false (default false)
AFTERCARE_HTTPS         HTTPS-only cookies, redirects and HSTS (default: not DEBUG)
AFTERCARE_SECRET_KEY    required in production unless DATA_DIR/secret_key exists
AFTERCARE_ALLOWED_HOSTS comma-separated host names (default: localhost, 127.0.0.1, [::1])
AFTERCARE_HSTS_SECONDS  (default one year)
DATABASE_URL            postgres://user:password@host:5432/name (default: SQLite in DATA_DIR)
AFTERCARE_BASE_URL      the address patients' links start with (default http://127.0.0.1:8000)
AFTERCARE_EMAIL_FROM    the sender of patient emails (default aftercare@localhost)
AFTERCARE_EMAIL         console (default: printed), file (to DATA_DIR/outbox) or smtp, with
                        EMAIL_HOST, EMAIL_PORT (587), EMAIL_HOST_USER, EMAIL_HOST_PASSWORD
AFTERCARE_SMS_WEBHOOK_URL  where text messages are POSTed as JSON (default: printed)
AFTERCARE_PROXY_COUNT   reverse proxies in front, for the client address that throttling
                        uses (default 0)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import django_stubs_ext

from aftercare.web.config.env import (
    database,
    default_data_dir,
    env_bool,
    env_choice,
    env_directory,
    env_int,
    env_line,
    env_list,
    env_path,
    env_str,
    secret_key,
)

# Lets ``forms.ModelForm[Patient]`` and friends, written for the type checker, run.
django_stubs_ext.monkeypatch()

DATA_DIR = env_path("AFTERCARE_DATA_DIR", default_data_dir())
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
# A clinic's own protocol files, beside the packaged ones (aftercare.protocols.registry
# reads it): checked here, so that a wrong path stops the app at start.
PROTOCOLS_DIR = env_directory("AFTERCARE_PROTOCOLS_DIR")

DEBUG = env_bool("AFTERCARE_DEBUG", False)
HTTPS = env_bool("AFTERCARE_HTTPS", not DEBUG)
SECRET_KEY = secret_key(DATA_DIR, DEBUG)
ALLOWED_HOSTS = env_list("AFTERCARE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

DATABASES = {"default": database(env_str("DATABASE_URL", ""), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django's form templates, for the project's form renderer to include.
    "django.forms",
    "axes",
    # Two-factor sign-in: authenticator apps (TOTP) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # django-ninja: its Swagger UI files, served from here rather than a CDN.
    "ninja",
    "aftercare.web.clinic",
]

MIDDLEWARE = [
    "aftercare.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aftercare.web.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "aftercare.web.middleware.PermissionsPolicyMiddleware",
    # Under /api/: HEAD answered as GET without the body, and any error answer (a 405,
    # Django's own 404 or 500) as problem+json.
    "aftercare.web.api.middleware.HeadMiddleware",
    "aftercare.web.api.middleware.ProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "aftercare.web.middleware.NullOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): five failures lock for 15 minutes, counted three ways:
# one username from one address; one username from any address (a password guessed from
# many machines); one address whatever the username (one password tried against many
# accounts). Attempts live in the database, so every web process sees them.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "aftercare/locked_out.html"
AXES_VERBOSE = False
# Lock-outs counted and lifted on the project's clock (see the module).
AXES_HANDLER = "aftercare.web.lockout.ClockedDatabaseHandler"
# Behind a TLS proxy or load balancer: how many, so the client's address is read right.
PROXY_COUNT = env_int("AFTERCARE_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "aftercare.web.addresses.client_address"

ROOT_URLCONF = "aftercare.web.config.urls"
WSGI_APPLICATION = "aftercare.web.config.wsgi.application"

# The exports' own templates (``aftercare.exports.pdf.TEMPLATES``), read without importing
# the exports (and WeasyPrint) while settings load.
EXPORT_TEMPLATES = Path(__file__).resolve().parents[2] / "exports" / "templates"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The exports' templates too: the staff pages show the plan as the leaflet prints it.
        "DIRS": [Path(__file__).resolve().parent.parent / "templates", EXPORT_TEMPLATES],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftercare.web.context.site",
            ],
        },
    },
]

FORM_RENDERER = "aftercare.web.forms.FormRenderer"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [Path(__file__).resolve().parent.parent / "static"]
# WhiteNoise serves the static files from the package itself: no collectstatic step.
WHITENOISE_USE_FINDERS = True

BASE_URL = env_str("AFTERCARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env_line("AFTERCARE_EMAIL_FROM", "aftercare@localhost")
EMAIL_BACKEND = env_choice(
    "AFTERCARE_EMAIL",
    {
        "console": "django.core.mail.backends.console.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
    },
    "console",
)
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_PORT == 587
EMAIL_USE_SSL = EMAIL_PORT == 465
EMAIL_TIMEOUT = 20

# Text messages: POSTed as JSON {"to", "body", "idempotency_key"} to a webhook that any SMS
# provider can sit behind; without one they are printed (development).
SMS_WEBHOOK_URL = env_str("AFTERCARE_SMS_WEBHOOK_URL", "")

# Patients' and staff pages carry health data: no referrer leaves them, nothing caches them
# (``NoStoreMiddleware``), and a patient's link token is never in a URL a log keeps.
SESSION_COOKIE_AGE = 12 * 60 * 60
# Django's database sessions, expiring on the project's clock (see the module).
SESSION_ENGINE = "aftercare.web.sessions"
# Staff cookies end with the browser (a shared front-desk PC); the idle and absolute limits
# are checked on the project's clock (``access``). Patients' sessions set their own expiry.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A password reset link works for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
# The authenticator app's name for this site.
OTP_TOTP_ISSUER = "Aftercare"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query": {"()": "aftercare.web.middleware.StripQueryFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_query"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # django-axes logs usernames and addresses at INFO; keep personal data out of logs.
    "loggers": {"axes": {"level": "ERROR"}},
}
X_FRAME_OPTIONS = "DENY"
# Scripts, styles and images from this site only: no inline script or style anywhere.
# The API's interactive docs (django-ninja's Swagger UI) run inline code of their own.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SESSION_COOKIE_HTTPONLY = True

if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # Load balancers probe over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Only trusted when HTTPS is on: the TLS-terminating proxy in front sets it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("AFTERCARE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
