"""Django settings, read from the environment (see ``env.py``).

AFTERCARE_DATA_DIR      where the SQLite database and the development secret key live
                        (default: $XDG_DATA_HOME/aftercare or ~/.local/share/aftercare)
AFTERCARE_DEBUG         true or false (default false)
AFTERCARE_HTTPS         HTTPS-only cookies, redirects and HSTS (default: not DEBUG)
AFTERCARE_SECRET_KEY    required in production unless DATA_DIR/secret_key exists
AFTERCARE_ALLOWED_HOSTS comma-separated host names (default: localhost, 127.0.0.1, [::1])
AFTERCARE_HSTS_SECONDS  (default one year)
DATABASE_URL            postgres://user:password@host:5432/name (default: SQLite in DATA_DIR)
"""

from __future__ import annotations

from aftercare.web.config.env import (
    database,
    default_data_dir,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    secret_key,
)

DATA_DIR = env_path("AFTERCARE_DATA_DIR", default_data_dir())
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

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
    "aftercare.web.clinic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aftercare.web.config.urls"
WSGI_APPLICATION = "aftercare.web.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
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
