"""Django settings for HRAP: demo defaults, production values from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hrap.core.network import parse_networks

PACKAGE_DIR = Path(__file__).resolve().parent

HRAP_ENV = os.environ.get("HRAP_ENV", "demo")
PRODUCTION = HRAP_ENV == "production"


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when HRAP_ENV=production")
    return value


if PRODUCTION:
    SECRET_KEY = _required("HRAP_SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("HRAP_ALLOWED_HOSTS").split(",") if h.strip()]
    DEBUG = False
    DATABASE_URL = _required("DATABASE_URL")
else:
    # Demo and development only: a fixed key is acceptable because nothing here is secret.
    SECRET_KEY = os.environ.get("HRAP_SECRET_KEY", "hrap-demo-key-not-for-production")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
    DEBUG = os.environ.get("HRAP_DEBUG", "1") == "1"
    DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{Path.cwd() / 'hrap.sqlite3'}"

# The audit chain is keyed (HMAC-SHA256) with a secret kept outside the database, so whoever can
# write the database cannot recompute it. Rotating: set a new HRAP_AUDIT_KEY and move the old
# one to HRAP_AUDIT_OLD_KEYS (comma-separated), which verification still needs.
if PRODUCTION:
    HRAP_AUDIT_KEY = _required("HRAP_AUDIT_KEY")
    if len(HRAP_AUDIT_KEY) < 32:
        raise ImproperlyConfigured("HRAP_AUDIT_KEY must be at least 32 characters long")
else:
    HRAP_AUDIT_KEY = os.environ.get("HRAP_AUDIT_KEY", "").strip() or "hrap-demo-audit-key"
HRAP_AUDIT_OLD_KEYS = [
    k.strip() for k in os.environ.get("HRAP_AUDIT_OLD_KEYS", "").split(",") if k.strip()
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Concurrent use (decision 0020): readers never block the writer (WAL); a write transaction
    # takes the write lock when it begins (IMMEDIATE), so it waits its turn instead of failing
    # with "database is locked" halfway; waiting lasts up to 20 seconds.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),  # options given in DATABASE_URL win
    }

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves Swagger UI's files from this site (decision 0022)
    "hrap.core",
    "hrap.accounts",
    "hrap.directory",
    "hrap.plans",
    "hrap.monitoring",
    "hrap.api",
    "hrap.demo",
]

MIDDLEWARE = [
    # First: the client's address and scheme, believed from trusted proxies only.
    "hrap.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the rest, so that every answer carries the policy, refusals and redirects too.
    "hrap.core.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The language of the address's prefix becomes the remembered one (the language cookie).
    "hrap.core.languages.RememberLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Runs before any view (and before CSRF reads the form): 413/400 instead of a 500.
    "hrap.core.middleware.RequestHygieneMiddleware",
    "hrap.core.middleware.HrapErrorMiddleware",
]

ROOT_URLCONF = "hrap.urls"
WSGI_APPLICATION = "hrap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hrap.accounts.context_processors.permissions",
            ],
        },
    },
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["hrap.accounts.backends.HrapBackend"]
LOGIN_URL = "login"
# Login hardening: a lock after repeated failures, per account and per address.
HRAP_LOCKOUT_ATTEMPTS = int(os.environ.get("HRAP_LOCKOUT_ATTEMPTS", "10"))
HRAP_ADDRESS_ATTEMPTS = int(os.environ.get("HRAP_ADDRESS_ATTEMPTS", "50"))
HRAP_LOCKOUT_MINUTES = int(os.environ.get("HRAP_LOCKOUT_MINUTES", "15"))
# Administrator and secretariat accounts must use a second factor; the demo does not insist.
HRAP_REQUIRE_SECOND_FACTOR = (
    os.environ.get("HRAP_REQUIRE_SECOND_FACTOR", "1" if PRODUCTION else "0") == "1"
)
SESSION_COOKIE_AGE = int(os.environ.get("HRAP_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
EMAIL_BACKEND = os.environ.get(
    "HRAP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("HRAP_FROM_EMAIL", "hrap@localhost")
EMAIL_HOST = os.environ.get("HRAP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HRAP_EMAIL_PORT", "25"))
# Background work (mail) runs in `hrap worker`, from tasks stored in the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HRAP_REMINDER_DAYS = int(os.environ.get("HRAP_REMINDER_DAYS", "7"))
HRAP_SITE_URL = os.environ.get("HRAP_SITE_URL", "http://127.0.0.1:8000")
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "plans:list"

# The interface languages (Django codes) and the content languages (BCP 47 tags used in plan
# files). A plan may carry texts in more languages than the interface offers.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
HRAP_CONTENT_LANGUAGES = [
    lang.strip()
    for lang in os.environ.get("HRAP_CONTENT_LANGUAGES", "zh-Hans,en").split(",")
    if lang.strip()
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
# Uploaded evidence lives here, outside the database and outside any public URL: HRAP serves
# each file itself, to those who may see its report.
MEDIA_ROOT = Path(os.environ.get("HRAP_MEDIA_ROOT", Path.cwd() / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STATIC_ROOT = Path(os.environ.get("HRAP_STATIC_ROOT", Path.cwd() / "staticfiles"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("HRAP_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Behind a proxy or load balancer: the addresses of the proxies (CIDRs, comma-separated) whose
# X-Forwarded-For and X-Forwarded-Proto are believed (`core.middleware.TrustedProxyMiddleware`
# drops them from anyone else). Unset: REMOTE_ADDR is the client, and no forwarded header counts.
try:
    HRAP_TRUSTED_PROXIES = [
        str(n)
        for n in parse_networks(
            c for c in os.environ.get("HRAP_TRUSTED_PROXIES", "").split(",") if c.strip()
        )
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"HRAP_TRUSTED_PROXIES: {exc}") from None
if HRAP_TRUSTED_PROXIES:
    # A TLS-terminating proxy says so in X-Forwarded-Proto; without this the HTTPS redirect loops.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"jieba": {"level": "WARNING"}},
}
