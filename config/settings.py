"""Enlace settings: one module, every deployment-specific value read from the environment.

Safe by default: unless `ENLACE_ENV=development` says this is a developer's machine (the
Makefile sets it for `make run` and `make test`), debug is off and start-up refuses without a
SECRET_KEY. The development defaults give the embedded set-up (SQLite file in the repository
folder, debug on) so that `make run` needs nothing else. A production deployment sets
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (docs/operations.md lists them, and a test runs
`check --deploy` with them); a missing or malformed value stops start-up.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import envbool, envchoice, envint, envlist, envsecret, envstr

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

ENLACE_ENV = envchoice("ENLACE_ENV", "production", ("production", "development"))
DEVELOPMENT = ENLACE_ENV == "development"
DEBUG = envbool("DEBUG", "true" if DEVELOPMENT else "false")
_DEV_SECRET = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = envsecret("SECRET_KEY", _DEV_SECRET if DEVELOPMENT else "")
if not SECRET_KEY or (SECRET_KEY == _DEV_SECRET and not (DEVELOPMENT and DEBUG)):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set (only ENLACE_ENV=development with DEBUG may run without one)"
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "enlace.core",
    "enlace.accounts",
    "enlace.directory",
    "enlace.catalogues",
    "enlace.privacy",
    "enlace.cases",
    "enlace.notifications",
    "enlace.reports",
    "enlace.improvements",
    "enlace.surveys",
    "enlace.imports",
    "enlace.channels",
    "enlace.callcentre",
    "enlace.campaigns",
    "enlace.participation",
    "enlace.media",
    "enlace.subscriptions",
    "enlace.suggestionbox",
    "enlace.portal",
    "enlace.oir",
    "enlace.demo",
    "enlace.webhooks",
    "enlace.open311",
    "enlace.apikeys",
    "enlace.ops",
    "django_tasks",
    "config.apps.TaskQueueConfig",  # django_tasks_db, its names translated (config/apps.py)
]

MIDDLEWARE = [
    # Behind nginx: the client's address from X-Real-IP, believed only from TRUSTED_PROXIES.
    "enlace.core.proxy.TrustedProxyMiddleware",
    # The request's id (an incoming X-Request-ID if sane, else new): in every log line, echoed
    # in the response, carried into the tasks it enqueues (enlace/core/requestid.py).
    "enlace.core.requestid.RequestIdMiddleware",
    # /healthz, /readyz and /metrics before anything else (no session, no host check, no HTTPS
    # redirect); every other request timed for the metrics (enlace/ops/probes.py).
    "enlace.ops.probes.Probes",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor, if any, verified this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff accounts: idle sessions end; roles that need a second factor give it first.
    "enlace.accounts.middleware.SessionExpiry",
    "enlace.accounts.middleware.SecondFactorRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every page (django-csp; the policy is below).
    "csp.middleware.CSPMiddleware",
    # Nothing a logged-in person or an API client reads stays in a browser's or proxy's cache.
    "enlace.core.privacy.NoStoreForPeople",
    # One read of the reference data's version per request (enlace/core/reference.py).
    "enlace.core.reference.ReferenceScope",
    # A view's "not found" in the console's look and language with DEBUG on too.
    "enlace.core.notfound.NotFoundPage",
    # Locks an account after repeated failed logins (django-axes; must come last).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Third-party templates corrected for the Spanish interface (Django's admin search box).
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # The header's links and parts, registered by each app (core/navigation.py).
                "enlace.core.navigation.header",
            ],
        },
    },
]

# Database: SQLite file by default (embedded), PostgreSQL in production via DATABASE_URL.
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'enlace.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the list page read while an agent writes; IMMEDIATE avoids lock upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # DATABASE_POOL=N: each process keeps a pool of up to N connections (psycopg_pool) instead
    # of one persistent connection per thread; 0 (the default) keeps CONN_MAX_AGE's.
    DATABASE_POOL = envint("DATABASE_POOL", "0")
    if DATABASE_POOL > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent + pooled
        DATABASES["default"]["OPTIONS"] = {
            "pool": {"min_size": 1, "max_size": DATABASE_POOL, "timeout": 10}
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked account before checking it
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "start"  # each role's own start page (enlace/core/views.py)
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions and cookies: secure by default; the embedded development server speaks plain HTTP,
# so the Secure flag follows DEBUG unless set explicitly.
SECURE_COOKIES = envbool("SECURE_COOKIES", "false" if DEBUG else "true")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 60 * 60))  # one working shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A staff session left alone this long ends (enlace/accounts/middleware.py); the shift's
# SESSION_COOKIE_AGE bounds it however busy it is. 0: never (a developer's default).
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", "0" if DEVELOPMENT else str(30 * 60))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
if envbool("BEHIND_TLS_PROXY", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated;
# enlace/core/proxy.py). Empty: REMOTE_ADDR is the client, as with no proxy.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
# Addresses the portal's and OIR's rate limits do not count (a load generator's, on a test
# stack only; docs/operations.md). Empty by default, and in production.
RATE_LIMIT_EXEMPT = envlist("RATE_LIMIT_EXEMPT", "")

# Content-Security-Policy (django-csp): only this site's scripts, styles, images and fonts;
# no plug-ins, no framing, forms post here. Inline style attributes stay allowed (the report's
# bars are sized by them); inline scripts do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")

# Staff accounts (enlace/accounts): a second factor for the roles that see the most (TOTP with
# one-time recovery codes, django-otp), enrolled at the first login; an account is locked after
# AXES_FAILURE_LIMIT failed logins (django-axes) until AXES_COOLOFF_MINUTES pass or an
# administrator unlocks it; an address is throttled after LOGIN_ADDRESS_LIMIT failures.
SECOND_FACTOR_ROLES = envlist(
    "SECOND_FACTOR_ROLES",
    # A developer's demo logs in without a phone; production asks it of these roles.
    "" if DEVELOPMENT else "administrator,resolution,oir_officer,analyst,dpo",
)
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "Enlace")
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_MINUTES = envint("AXES_COOLOFF_MINUTES", "30")
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]  # per account; per address: LOGIN_ADDRESS_LIMIT
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "enlace.accounts.views.locked_out"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = [
    # django-axes would also lock by address; a desk's agents share one, so the per-address
    # limit is Enlace's own, higher one (LOGIN_ADDRESS_LIMIT, enlace/accounts/views.py).
    "axes.W006",
]
# Cases read with their personal data in clear through the API, per key (or user) and hour:
# an integration that answers citizens one by one stays far below it; bulk copying does not.
PERSONAL_DATA_READS_PER_HOUR = envint("PERSONAL_DATA_READS_PER_HOUR", "2000")
# A user who views more records with personal data than this in an hour (any door) is shown to
# the data-protection officer (enlace/privacy/sweeper.py).
PERSONAL_DATA_ALERT_PER_HOUR = envint("PERSONAL_DATA_ALERT_PER_HOUR", "500")
LOGIN_ADDRESS_LIMIT = envint("LOGIN_ADDRESS_LIMIT", "50")  # failed logins per address, 15 min
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", str(60 * 60))  # the link's life

# Language and time: the UI speaks Spanish (English available), the clock is El Salvador's.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["enlace.core.formats"]
USE_I18N = True
TIME_ZONE = "America/El_Salvador"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (imports; attachments): never served from here without a permission check.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
# The largest file an analyst may upload to import from the web (the command line has no cap).
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_BYTES", str(512 * 1024 * 1024))
# The largest attachment a citizen may send by any channel (WhatsApp's own cap is 16 MB).
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
# The largest clipping or recording of a news item (a TV interview runs to tens of megabytes).
MEDIA_CLIP_MAX_BYTES = envint("MEDIA_CLIP_MAX_BYTES", str(200 * 1024 * 1024))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Background work: Django's Tasks API. "database" (default) keeps the queue in the database,
# worked by `manage.py db_worker`: nothing else to install. "rq" puts it on Redis, worked by
# `manage.py rqworker` on as many machines as needed. The tasks are the same.
TASKS_BACKEND = envchoice("TASKS_BACKEND", "database", ("database", "rq"))
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
INSTALLED_APPS.append("django_rq")  # its `rqworker` command works the RQ queue
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
# Its dashboard in the administration (English only) where the queue is RQ's; with the database
# queue the administration's "Cola de tareas" shows the tasks.
RQ_SHOW_ADMIN_LINK = TASKS_BACKEND == "rq"
if TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Mail: to the console while developing, by SMTP in production.
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = envstr("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")
DEFAULT_FROM_EMAIL = envstr(
    "DEFAULT_FROM_EMAIL", "Atención al Usuario <atencionalusuario@localhost>"
)
EMAIL_MESSAGE_ID_DOMAIN = envstr("EMAIL_MESSAGE_ID_DOMAIN", "enlace.localhost")
# Where citizens reach this site (scheme and host, no trailing slash): the links in e-mails
# (survey invitations) and on printed posters (a centre's QR code) start with it.
PUBLIC_URL = envstr("PUBLIC_URL", "http://127.0.0.1:8000" if DEVELOPMENT else "").rstrip("/")

# The case list reads at most this many rows to tell "N results" before it says "more than N".
CASE_LIST_PAGE_SIZE = envint("CASE_LIST_PAGE_SIZE", "50")
CASE_LIST_COUNT_LIMIT = envint("CASE_LIST_COUNT_LIMIT", "1000")

# An opinion of the same person (DUI or phone) about the same centre within this many days is
# flagged on intake as a possible duplicate.
DUPLICATE_WINDOW_DAYS = envint("DUPLICATE_WINDOW_DAYS", "7")

# The cache holds the portal's rate-limit counters, so it must be one for every web server:
# the database by default (a table made by the portal's migration, or `createcachetable`),
# Redis at scale, local memory for a single process.
CACHE_BACKEND = envchoice("CACHE_BACKEND", "database", ("database", "redis", "locmem"))
CACHES = {
    "default": {
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "enlace_cache",
        },
        "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }[CACHE_BACKEND]
}

# Logs: one line per record to standard error. LOG_FORMAT=json writes one JSON object a line
# (time, level, logger, message, request_id, and the exception) for a log collector; the
# default is for a person at a terminal. Every record carries the request id
# (enlace/core/requestid.py), "-" outside a request or a task.
LOG_FORMAT = envchoice("LOG_FORMAT", "text", ("text", "json"))
# One line per request (method, route name, status, milliseconds; never the path or the query):
# on with JSON logs, off by default in text (runserver and gunicorn write their own).
LOG_REQUESTS = envbool("LOG_REQUESTS", "true" if LOG_FORMAT == "json" else "false")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "enlace.core.requestid.RequestIdFilter"},
        # Secret links (an invitation's token, a password reset's) hidden in every line.
        "secret_paths": {"()": "enlace.core.logformat.SecretPathFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "enlace.core.logformat.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "secret_paths"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}

# Metrics (enlace/ops/metrics.py) at /metrics, only for these addresses or networks (a
# Prometheus server; comma-separated, CIDR allowed) or a request with
# `Authorization: Bearer <METRICS_TOKEN>`. Behind a reverse proxy on this machine every request
# comes from 127.0.0.1: then use the token, or refuse /metrics at the proxy.
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS", "127.0.0.1,::1" if DEVELOPMENT else "")
METRICS_TOKEN = envsecret("METRICS_TOKEN", "")
try:
    import ipaddress

    for _network in METRICS_ALLOWED_IPS:
        ipaddress.ip_network(_network, strict=False)
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {exc}") from None

# --- Channels (enlace/channels) ---------------------------------------------------------------
# The channel plug-ins this deployment runs, each a folder of enlace/channels (docs/architecture.md
# says how to add one). A channel left out receives nothing: its endpoint is gone and what it
# stored earlier stays pending.
CHANNEL_PLUGINS = [
    "enlace.channels.portal",  # the citizens' portal at /
    "enlace.channels.email",  # IMAP mailboxes (EMAIL_INBOXES)
    "enlace.channels.meta",  # WhatsApp Cloud API and Facebook Messenger
    "enlace.channels.cti",  # the call centre's telephone system
    "enlace.channels.buzon",  # the suggestion boxes' forms, transcribed
    "enlace.channels.oir_portal",  # public-information requests filed on the portal
    "enlace.channels.dsr_portal",  # requests over one's personal data filed on the portal
]
# --- WhatsApp Cloud API and Facebook Messenger (enlace/channels/meta) -------------------------
# Each platform is off, its webhook answering 404, until its verify token and app secret are
# set; replying from a case also needs its access token (and, for WhatsApp, the phone number id).
WHATSAPP_VERIFY_TOKEN = envsecret("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_APP_SECRET = envsecret("WHATSAPP_APP_SECRET", "")
WHATSAPP_ACCESS_TOKEN = envsecret("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = envstr("WHATSAPP_PHONE_NUMBER_ID", "")
FACEBOOK_VERIFY_TOKEN = envsecret("FACEBOOK_VERIFY_TOKEN", "")
FACEBOOK_APP_SECRET = envsecret("FACEBOOK_APP_SECRET", "")
FACEBOOK_ACCESS_TOKEN = envsecret("FACEBOOK_ACCESS_TOKEN", "")  # the page's access token
FACEBOOK_PAGE_ID = envstr("FACEBOOK_PAGE_ID", "")  # empty: sent as /me/messages
GRAPH_API_URL = envstr("GRAPH_API_URL", "https://graph.facebook.com/v21.0").rstrip("/")
GRAPH_API_TIMEOUT = envint("GRAPH_API_TIMEOUT", "20")  # seconds per request
# A first message to a phone (an invitation to answer a study after a case) can only be a
# template approved in the WhatsApp Business Manager: their names (empty: not sent by WhatsApp)
# and language. The placeholders are {{1}} the centre, {{2}} the link, {{3}} the last day the
# link works (docs/operations.md gives the texts to register).
WHATSAPP_SURVEY_TEMPLATE = envstr("WHATSAPP_SURVEY_TEMPLATE", "")
WHATSAPP_SURVEY_REMINDER_TEMPLATE = envstr("WHATSAPP_SURVEY_REMINDER_TEMPLATE", "")
WHATSAPP_TEMPLATE_LANGUAGE = envstr("WHATSAPP_TEMPLATE_LANGUAGE", "es")
# A message from a sender who wrote on an open case by the same platform in the last this many
# days is threaded into that case instead of opening another.
META_THREAD_DAYS = envint("META_THREAD_DAYS", "7")
# --- end of WhatsApp and Facebook -----------------------------------------------------------


# --- E-mail channel (enlace/channels/email) --------------------------------------------------
# EMAIL_INBOXES: the IMAP mailboxes to poll, as a JSON list; empty (the default) polls none.
#   [{"host": "imap.example.org", "port": 993, "security": "tls", "user": "atencion",
#     "password_env": "IMAP_ATENCION_PASSWORD", "folder": "INBOX", "channel": "correo"}]
# security: "tls" (implicit, port 993 by default), "starttls" (port 143) or "none" (only for a
# server on this machine). The password is read from the variable password_env names (or the
# file its _FILE names). channel: the catalogue channel its cases count under ("correo" for
# user attention, "oir" for the OIR). folder defaults to INBOX.
def _email_inboxes(text: str) -> list[dict[str, str | int]]:
    import json

    try:
        items = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"EMAIL_INBOXES is not valid JSON: {error}") from None
    if not isinstance(items, list):
        raise ImproperlyConfigured("EMAIL_INBOXES must be a JSON list of mailboxes")
    inboxes: list[dict[str, str | int]] = []
    for item in items:
        needed = {"host", "user", "password_env", "channel"}
        if not isinstance(item, dict) or not needed <= item.keys():
            raise ImproperlyConfigured(f"each EMAIL_INBOXES item needs {', '.join(sorted(needed))}")
        security = str(item.get("security", "tls"))
        if security not in ("tls", "starttls", "none"):
            raise ImproperlyConfigured(f"EMAIL_INBOXES security={security!r}: tls/starttls/none")
        try:
            port = int(item.get("port", 993 if security == "tls" else 143))
        except (TypeError, ValueError):
            raise ImproperlyConfigured(f"EMAIL_INBOXES port={item.get('port')!r}") from None
        password = envsecret(str(item["password_env"]), "")
        if not password:
            raise ImproperlyConfigured(f"{item['password_env']} (EMAIL_INBOXES) is not set")
        inboxes.append(
            {
                "host": str(item["host"]),
                "port": port,
                "security": security,
                "user": str(item["user"]),
                "password": password,
                "folder": str(item.get("folder", "INBOX")),
                "channel": str(item["channel"]),
            }
        )
    return inboxes


EMAIL_INBOXES = _email_inboxes(envstr("EMAIL_INBOXES", ""))
EMAIL_POLL_BATCH = envint("EMAIL_POLL_BATCH", "200")  # messages per mailbox per poll
EMAIL_POLL_TIMEOUT = envint("EMAIL_POLL_TIMEOUT", "30")  # seconds per IMAP operation
# --- end of e-mail channel -------------------------------------------------------------------


# --- Call centre (enlace/callcentre) ---------------------------------------------------------
# The shared secret the telephone system (PBX/CTI) sends in the X-CTI-Token header when it
# posts call events to /canales/cti/; unset (the default), the endpoint answers 404.
CTI_TOKEN = envsecret("CTI_TOKEN", "")
# The management figures (enlace/callcentre/figures.py): a call answered within this many seconds
# of its start counts for the service level; one abandoned within this many seconds is a short
# abandon (a wrong number, a caller who changed their mind), left out of the calls offered for
# the service level and the abandon rate.
CALLCENTRE_SERVICE_LEVEL_SECONDS = envint("CALLCENTRE_SERVICE_LEVEL_SECONDS", "20")
CALLCENTRE_SHORT_ABANDON_SECONDS = envint("CALLCENTRE_SHORT_ABANDON_SECONDS", "5")
if CALLCENTRE_SERVICE_LEVEL_SECONDS < 1 or CALLCENTRE_SHORT_ABANDON_SECONDS < 0:
    raise ImproperlyConfigured(
        "CALLCENTRE_SERVICE_LEVEL_SECONDS must be at least 1 and "
        "CALLCENTRE_SHORT_ABANDON_SECONDS at least 0"
    )
# A campaign's contact claimed by an agent (enlace/campaigns) is theirs this many minutes; then
# another agent may take it.
CAMPAIGN_LEASE_MINUTES = envint("CAMPAIGN_LEASE_MINUTES", "10")
# --- end of call centre ----------------------------------------------------------------------


# --- Public-information requests under the LAIP (enlace/oir) --------------------------------
# Choices the law leaves to the institution's rules. The legal deadline counts from the
# business day after receipt (true) or from the day of receipt itself when it is a business day
# (false). When the requester answers a clarification (prevención), the business days waited
# are added to the deadline ("pause") or the count starts again from the answer ("restart").
OIR_COUNT_FROM_NEXT_BUSINESS_DAY = envbool("OIR_COUNT_FROM_NEXT_BUSINESS_DAY", "true")
OIR_CLARIFICATION_EFFECT = envchoice("OIR_CLARIFICATION_EFFECT", "pause", ("pause", "restart"))
# --- end of public-information requests -----------------------------------------------------


# --- REST API and API keys (config/api.py, enlace/apikeys) -----------------------------------
# Django Ninja as an app: the browsable docs at /api/v1/docs use its bundled Swagger UI from our
# static files instead of a CDN.
INSTALLED_APPS.append("ninja")
# A POST with an Idempotency-Key header is answered again from its record for this many days;
# `manage.py expire_idempotency_keys` deletes older records.
IDEMPOTENCY_KEY_DAYS = envint("IDEMPOTENCY_KEY_DAYS", "7")
# The largest list page a client may ask for (?limit=).
API_MAX_PAGE_SIZE = envint("API_MAX_PAGE_SIZE", "200")
# --- end of REST API -------------------------------------------------------------------------


# --- Outgoing webhooks (enlace/webhooks) and Open311 GeoReport v2 (enlace/open311) ----------
# Seconds a webhook receiver has to answer one delivery (a background task waits, never a
# user), and how many attempts (1, 5, 15, 60, 180... minutes apart) before it is failed.
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", "5")
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", "8")
# Open311 at /open311/v2/ (docs/open311.md). Reading service requests needs an API key unless
# OPEN311_PUBLIC_REQUESTS is on (then anonymous readers get only fields without personal
# data). A jurisdiction_id, if configured, must match the one a client sends. Requests created
# through it count under OPEN311_CHANNEL. Contact and key_service are shown by discovery.
OPEN311_PUBLIC_REQUESTS = envbool("OPEN311_PUBLIC_REQUESTS", "false")
OPEN311_JURISDICTION_ID = envstr("OPEN311_JURISDICTION_ID", "")
OPEN311_CHANNEL = envstr("OPEN311_CHANNEL", "sitio_web")
OPEN311_CONTACT = envstr("OPEN311_CONTACT", DEFAULT_FROM_EMAIL)
OPEN311_KEY_SERVICE = envstr(
    "OPEN311_KEY_SERVICE", "Ask the institute's administrators for an API key."
)
# --- end of webhooks and Open311 -------------------------------------------------------------
