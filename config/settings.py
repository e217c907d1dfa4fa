"""Kinga settings, all read from the environment (see .env.example).

KINGA_ENV=development (the default) gives safe-to-run local defaults for the demo and tests;
KINGA_ENV=production refuses to start unless every secret is set and transport is secure.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import Env, ImproperlyConfiguredEnv

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

KINGA_ENV = env.choice("KINGA_ENV", "development", ("development", "production"))
PRODUCTION = KINGA_ENV == "production"

# Development-only fallbacks; production must set real values (checked below).
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105 — refused in production
# Fernet keys (url-safe base64 of 32 bytes). The first key encrypts; all keys decrypt.
_DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="
_DEV_HASH_KEY = "dev-only-keyed-hash-key"

SECRET_KEY = env.string("SECRET_KEY", None if PRODUCTION else _DEV_SECRET_KEY)
DEBUG = env.boolean("DEBUG", default=False)
ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfiguredEnv("DEBUG must be off when KINGA_ENV=production")
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfiguredEnv("SECRET_KEY must be a unique value of 50+ characters")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfiguredEnv("ALLOWED_HOSTS must list the public host names")

# Keys for personal data at rest, kept outside the database. Comma-separated, newest first.
ENCRYPTION_KEYS = env.strings("KINGA_ENCRYPTION_KEYS", [] if PRODUCTION else [_DEV_ENCRYPTION_KEY])
HASH_KEY = env.string("KINGA_HASH_KEY", None if PRODUCTION else _DEV_HASH_KEY)
if not ENCRYPTION_KEYS:
    raise ImproperlyConfiguredEnv("KINGA_ENCRYPTION_KEYS must be set")
for _key in ENCRYPTION_KEYS:
    try:
        Fernet(_key.encode())
    except ValueError:
        raise ImproperlyConfiguredEnv(
            "KINGA_ENCRYPTION_KEYS must be Fernet keys (url-safe base64 of 32 bytes)"
        ) from None
if PRODUCTION and (_DEV_ENCRYPTION_KEY in ENCRYPTION_KEYS or HASH_KEY == _DEV_HASH_KEY):
    raise ImproperlyConfiguredEnv("KINGA_ENCRYPTION_KEYS and KINGA_HASH_KEY need production keys")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from local static files, not a CDN
    "core",
    "accounts",
    "audit",
    "geo",
    "monitoring",
    "collect",
    "cases",
    "companies",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionExpiryMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASE_URL = env.string("DATABASE_URL", None if PRODUCTION else _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as error:
    raise ImproperlyConfiguredEnv(f"DATABASE_URL does not parse: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a seed or import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.string("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfiguredEnv("REDIS_URL must start with redis://, rediss:// or unix://")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout: 5 failures for one username lock it for 15 minutes (docs/decisions/0003).
AXES_FAILURE_LIMIT = env.integer("KINGA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("KINGA_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 wants the IP in the lockout key too: whole field offices share one carrier-NAT
# address, so locking by IP would lock them all out. The username lock already stops guessing.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.integer("KINGA_PROXY_COUNT", 0)

# Sessions end after inactivity and in any case after an absolute lifetime.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.integer("KINGA_SESSION_IDLE_MINUTES", 30, minimum=1))
SESSION_ABSOLUTE_TIMEOUT = timedelta(
    hours=env.integer("KINGA_SESSION_ABSOLUTE_HOURS", 12, minimum=1)
)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = "Kinga"

# Transport security: on in production; the demo on 127.0.0.1 runs over plain HTTP.
SECURE = env.boolean("KINGA_SECURE_COOKIES", default=PRODUCTION)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env.boolean("KINGA_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# Behind a TLS proxy the request's scheme comes from its header: always in production, and in
# the demo when told (a laptop demo behind Caddy or nginx for a real phone, README), so that
# the form list gives the phone https:// download addresses.
_BEHIND_HTTPS_PROXY = env.boolean("KINGA_BEHIND_HTTPS_PROXY", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _BEHIND_HTTPS_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS", [])

# No inline script anywhere: every script is a local static file (docs/decisions/0004).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.string("TIME_ZONE", "Africa/Lubumbashi")
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SECURE

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, serve static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.string("KINGA_MEDIA_ROOT", str(BASE_DIR / "media")))

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# E-mail (notices of missed deadlines, cases/services/notifications.py): printed to the console
# in development unless EMAIL_BACKEND says otherwise; SMTP from EMAIL_* in production.
EMAIL_BACKEND = env.string(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "kinga@localhost")
# The address people reach Kinga at, for links in e-mails.
KINGA_BASE_URL = env.string("KINGA_BASE_URL", "http://localhost:8000")

# Demo users' password (the seed command reads it; see README).
DEMO_PASSWORD = env.string("KINGA_DEMO_PASSWORD", "kinga-demo-2026")

# Phones (ODK Collect / KoboCollect, collect/openrosa): HTTP Basic credentials must travel over
# HTTPS in production; the demo on a local network accepts plain HTTP (docs/collect.md).
KINGA_COLLECT_REQUIRE_HTTPS = env.boolean("KINGA_COLLECT_REQUIRE_HTTPS", default=PRODUCTION)
if PRODUCTION and not KINGA_COLLECT_REQUIRE_HTTPS:
    raise ImproperlyConfiguredEnv(
        "KINGA_COLLECT_REQUIRE_HTTPS cannot be off in production: phones send their password "
        "in every request (behind a TLS proxy, production already trusts X-Forwarded-Proto)"
    )
# A phone on plain HTTP gets the phone endpoints' own refusal, which Collect shows, rather
# than a redirect it would follow without its form.
SECURE_REDIRECT_EXEMPT = [r"^collect/(formList|submission|forms/)"]
# Repeated bad phone credentials: per credential name, and per address (a field office's
# phones share one carrier-NAT address, hence the higher limit), then a cool-down.
KINGA_COLLECT_FAILURE_LIMIT = env.integer("KINGA_COLLECT_FAILURE_LIMIT", 10, minimum=1)
KINGA_COLLECT_IP_FAILURE_LIMIT = env.integer("KINGA_COLLECT_IP_FAILURE_LIMIT", 100, minimum=1)
KINGA_COLLECT_COOLOFF_MINUTES = env.integer("KINGA_COLLECT_COOLOFF_MINUTES", 15, minimum=1)
KINGA_COLLECT_MAX_SUBMISSION_BYTES = env.integer(
    "KINGA_COLLECT_MAX_SUBMISSION_BYTES", 10 * 1024 * 1024, minimum=1024
)
