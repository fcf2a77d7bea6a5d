"""Settings for closeout: one module, configured from the environment.

Environment variables:
  CLOSEOUT_DATA_DIR  where the SQLite file, evidence files and generated documents live
                     (default ./data)
  DATABASE_URL       database (default: SQLite file in the data folder, WAL mode)
  SECRET_KEY         signing key; when unset a key is generated once and kept in the
                     data folder, so a restart does not log everybody out
  DEBUG              "1"/"true" turns debug on (off by default; the demo turns it on)
  ALLOWED_HOSTS      comma-separated host names (default: localhost names)
  CLOSEOUT_HTTPS     "1": the site is reached over HTTPS only; turns on the redirect to
                     HTTPS, HSTS and secure cookies (each one settable on its own, see
                     "Putting it online" in the README)
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int = 1) -> int:
    """A whole number from the environment; anything else stops the start with its name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


DATA_DIR = Path(os.environ.get("CLOSEOUT_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
EVIDENCE_DIR = DATA_DIR / "evidence"
DOCUMENTS_DIR = DATA_DIR / "documents"


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_fsm",
    "ninja",
    "closeout.ledger",
    "closeout.api",
    "closeout.web",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "closeout.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a login that axes refused into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "closeout.urls"
WSGI_APPLICATION = "closeout.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "closeout.web.context.page_url",
                "closeout.web.navigation.navigation",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'closeout.sqlite3'}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer commits; IMMEDIATE transactions take the
        # write lock up front so two writers queue instead of failing half-way.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the finders; it wants the folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Evidence uploads (整改佐证材料): a size cap per file, a cap on the files of one report or
# close-out request and on their bytes together, and the content types we accept,
# decided by sniffing the bytes rather than trusting the browser's claim.
EVIDENCE_MAX_BYTES = env_int("CLOSEOUT_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024)
EVIDENCE_MAX_FILES = env_int("CLOSEOUT_EVIDENCE_MAX_FILES", 20)
EVIDENCE_MAX_TOTAL_BYTES = env_int("CLOSEOUT_EVIDENCE_MAX_TOTAL_BYTES", 100 * 1024 * 1024)

# Uploads stream: the limits above are held while a request body is read
# (closeout.uploads stops it at the first file or byte too many, for every multipart
# request), a request of up to FILE_UPLOAD_MAX_MEMORY_SIZE is parsed in memory and any
# larger one is spooled to temporary files in the data folder (not /tmp, which may be
# memory), and the services copy evidence from there in chunks. Django's own cap on the
# number of files stays one above ours, so ours answers first, with its message.
FILE_UPLOAD_HANDLERS = [
    "closeout.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # the form fields, files not counted
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES + 1

# Plan files (整改方案) are read within limits, since a small file can unpack to gigabytes:
# what a .docx or the streams of a PDF unpack to and a PDF's pages (everywhere), and the
# memory and wall time of the child process that reads each imported plan.
PLAN_MAX_UPLOAD_BYTES = env_int("CLOSEOUT_PLAN_MAX_UPLOAD_MB", 50) * 1024 * 1024
PLAN_MAX_UNPACKED_BYTES = env_int("CLOSEOUT_PLAN_MAX_UNPACKED_MB", 100) * 1024 * 1024
PLAN_MAX_PAGES = env_int("CLOSEOUT_PLAN_MAX_PAGES", 500)
PLAN_PARSE_MEMORY_BYTES = env_int("CLOSEOUT_PLAN_PARSE_MEMORY_MB", 1024) * 1024 * 1024
PLAN_PARSE_SECONDS = env_int("CLOSEOUT_PLAN_PARSE_SECONDS", 60)

# E-mail digests (one per unit per cycle) go out through SMTP when a host is set;
# without one, notifications stay in the in-app inbox only. STARTTLS (port 587 by
# default) and implicit TLS (port 465) exclude each other; plain SMTP uses port 25.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("CLOSEOUT_SMTP_HOST", "").strip()
EMAIL_USE_TLS = env_bool("CLOSEOUT_SMTP_STARTTLS")
EMAIL_USE_SSL = env_bool("CLOSEOUT_SMTP_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ValueError("set CLOSEOUT_SMTP_STARTTLS or CLOSEOUT_SMTP_SSL, not both")
EMAIL_PORT = int(
    os.environ.get("CLOSEOUT_SMTP_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
)
EMAIL_HOST_USER = os.environ.get("CLOSEOUT_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CLOSEOUT_SMTP_PASSWORD", "")
EMAIL_TIMEOUT = 30  # seconds per SMTP operation, so a dead server cannot hang the sweep
DEFAULT_FROM_EMAIL = os.environ.get("CLOSEOUT_MAIL_FROM", "closeout@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CLOSEOUT_MAIL_ENABLED = bool(EMAIL_HOST)

# ---------------------------------------------------------------------------- putting it online

# HTTPS. CLOSEOUT_HTTPS=1 says the site is reached over HTTPS only, and gives each of the
# settings below its production value; each can still be set on its own.
CLOSEOUT_HTTPS = env_bool("CLOSEOUT_HTTPS")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", CLOSEOUT_HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if CLOSEOUT_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", CLOSEOUT_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", CLOSEOUT_HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", CLOSEOUT_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
SESSION_COOKIE_HTTPONLY = True

# Behind a reverse proxy. CLOSEOUT_PROXY_COUNT is the number of proxies in front of the
# application that append the client's address to CLOSEOUT_PROXY_HEADER; 0 (the
# default) reads REMOTE_ADDR only, since without a proxy anybody can send the header.
# CLOSEOUT_PROXY_SSL_HEADER names the header by which the proxy says the request came
# over HTTPS (X-Forwarded-Proto: https); only set it when the proxy overwrites it.
CLOSEOUT_PROXY_COUNT = env_int("CLOSEOUT_PROXY_COUNT", 0, minimum=0)
CLOSEOUT_PROXY_HEADER = os.environ.get("CLOSEOUT_PROXY_HEADER", "").strip() or "X-Forwarded-For"
if proxy_ssl_header := os.environ.get("CLOSEOUT_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https")

# Failed logins (django-axes, see closeout/web/throttle.py): after AXES_FAILURE_LIMIT
# failures of one account from one address, or CLOSEOUT_LOGIN_ADDRESS_LIMIT from one
# address over all accounts, logins from there are refused, right password or not,
# until the cool-off has passed since the last failure.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("CLOSEOUT_LOGIN_LIMIT", 5)
CLOSEOUT_LOGIN_ADDRESS_LIMIT = env_int("CLOSEOUT_LOGIN_ADDRESS_LIMIT", 50)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("CLOSEOUT_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "closeout.web.throttle.LoginAttempts"
AXES_CLIENT_IP_CALLABLE = "closeout.web.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "closeout.web.throttle.locked_out"
AXES_RESET_ON_SUCCESS = True  # that account from that address only (LoginAttempts)
if CLOSEOUT_LOGIN_ADDRESS_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "CLOSEOUT_LOGIN_ADDRESS_LIMIT must be at least CLOSEOUT_LOGIN_LIMIT "
        f"({CLOSEOUT_LOGIN_ADDRESS_LIMIT} < {AXES_FAILURE_LIMIT})"
    )

# Django's cache holds the rate limits of objections (closeout.ledger.services.ratelimits).
# In memory: `closeout serve` is one process whose threads all share it, so the limits
# hold for the whole server (several server processes would each count on their own,
# see the README). Room for many addresses, so that a flood from many of them does not
# push the counts out of the cache (Django's default keeps 300 entries).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "closeout",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# Content-Security-Policy (django-csp): only our own origin, no inline scripts or styles
# anywhere, no framing. The API docs (Swagger UI, served from django-ninja's own copy)
# add data: images to it, see closeout/api/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
