"""Seamline settings: one file, driven by the environment.

Every value a deployment changes comes from an environment variable; the README's
configuration table lists them. With nothing set, Seamline runs on an embedded SQLite
file with Celery tasks executed in-process, which is what `make run` uses.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (it may only be generated when DEBUG is on).")
    # A development key, generated once and kept beside the project so that sessions
    # survive the dev server's restarts.
    key_file = BASE_DIR / ".dev-secret-key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key())
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The organisation this installation serves, shown beside the product name.
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "csp",
    "axes",
    "template_partials",
    "auditlog",
    # Seamline's apps, in import order: each imports only those above it (STYLE.md).
    "common",
    "seams",
    "contracts",
    "decisions",
    "metrics",
    "onboarding",
    "identity",
    "connections",
    "audit",
]

MIDDLEWARE = [
    # First, so that every response and every log line of the request carries its id.
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After sign-in, so that a refused request knows who sent it; before any view.
    "config.middleware.RefuseNulMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who made each change, for the audit log; and every refused write, recorded.
    "auditlog.middleware.AuditlogMiddleware",
    "audit.middleware.RefusedWriteMiddleware",
    # Last, as django-axes requires: it turns a refused sign-in into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
for _database in DATABASES.values():
    # A request's writes land together or not at all: an error never leaves half a change.
    _database["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People ---------------------------------------------------------------------------
AUTH_USER_MODEL = "seams.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out sign-in before any password is checked. Passwords
# (superusers only when PASSWORD_LOGIN is off), then single sign-on.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "identity.backends.PasswordBackend",
    "identity.backends.SingleSignOnBackend",
]
# With PASSWORD_LOGIN=0 only superusers sign in with a password (a way in should the
# identity provider fail); everyone else uses single sign-on, and password reset is off.
PASSWORD_LOGIN = env.bool("PASSWORD_LOGIN", default=True)

# Single sign-on with OpenID Connect (authorization code, PKCE): on when OIDC_ISSUER and
# OIDC_CLIENT_ID are set. Endpoints and signing keys come from the issuer's discovery
# document. README, "Single sign-on and SCIM", has each provider's settings.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
# The claim that lists a person's groups ("" to leave roles and teams to SCIM or leaders).
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# The claim that says the email address is verified (Entra ID: xms_edov).
OIDC_EMAIL_VERIFIED_CLAIM = env.str("OIDC_EMAIL_VERIFIED_CLAIM", default="email_verified")
# Whether a person the provider vouches for, unknown here, is created at first sign-in.
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USERS", default=True)
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_BASIC_AUTH", default=True)
# Kept for signing out at the provider (id_token_hint); the access token is not kept.
OIDC_STORE_ID_TOKEN = True
OIDC_STORE_ACCESS_TOKEN = False
OIDC_AUTHENTICATION_CALLBACK_URL = "identity:oidc-callback"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Time -----------------------------------------------------------------------------
# The organisation's time zone: months for metrics start at midnight here, and naive
# timestamps in imported files are read in it.
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
LANGUAGE_CODE = "en-gb"
USE_I18N = False
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded files (handoff CSVs waiting for a worker): shared by web and workers in production.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
HANDOFF_IMPORT_MAX_BYTES = env.int("HANDOFF_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# Largest webhook body read; a larger one is refused (413) before it is read or verified.
WEBHOOK_MAX_BYTES = env.int("WEBHOOK_MAX_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # larger uploads go to a temporary file

# --- Email ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, … parsed from the URL
# Outbound notifications (connections): the address their links start with; whether a
# channel's URL may point at a private, loopback or link-local address (refused in production
# against SSRF; on with DEBUG so a local receiver can be tried); and whether, without a broker,
# a background thread sends deliveries after the write commits (the demo) instead of leaving
# them to the periodic sweep. Never inside the request either way.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
OUTBOUND_ALLOW_PRIVATE_URLS = env.bool("OUTBOUND_ALLOW_PRIVATE_URLS", default=DEBUG)
OUTBOUND_SEND_IN_THREAD = env.bool("OUTBOUND_SEND_IN_THREAD", default=DEBUG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Seamline <seamline@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------
# Without DEBUG, Seamline assumes it is served over HTTPS (usually by a proxy that terminates
# TLS and sets X-Forwarded-Proto): cookies are HTTPS-only, plain HTTP is redirected and
# browsers are told to come back over HTTPS only. SECURE_COOKIES=0 is for plain-HTTP setups
# such as docker compose on a laptop, and turns all three off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# A proxy that already redirects HTTP to HTTPS does what the deploy check's security.W008
# asks for, so Django need not redirect again.
HTTPS_REDIRECT_BY_PROXY = env.bool("HTTPS_REDIRECT_BY_PROXY", default=False)
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE and not HTTPS_REDIRECT_BY_PROXY
SILENCED_SYSTEM_CHECKS = ["security.W008"] if HTTPS_REDIRECT_BY_PROXY else []
# Load balancers and compose health checks probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if SESSION_COOKIE_SECURE else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

_sso_origins = [
    f"{_issuer.scheme}://{_issuer.netloc}"
    for _issuer in [urlsplit(OIDC_ISSUER)]
    if _issuer.scheme in ("http", "https") and _issuer.netloc
]

# Content Security Policy: only our own scripts, styles and images (SVG icons may be data:
# URLs). Templates carry no inline scripts, handlers or style attributes (small behaviours
# live in static/js/seamline.js), and htmx's indicator styles live in seamline.css
# (includeIndicatorStyles is off in base.html), so nothing inline is allowed. The API docs
# page loosens this for itself only (config.views.api_docs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        # Signing out of single sign-on: the sign-out form's answer redirects to the
        # provider's end-session page, and browsers hold that redirect to form-action.
        "form-action": [SELF, *_sso_origins],
        "report-uri": env.str("CSP_REPORT_URI", default="") or None,
    },
}

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES (429 and a page saying
# when to try again); another person, or the same person elsewhere, is not affected. Attempts
# are kept in the database, so every web process sees them. A successful sign-in starts over.
AXES_ENABLED = env.bool("LOGIN_LOCKOUT", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
# The address a request came from: the connection's, or behind PROXY_COUNT proxies (each
# appending to X-Forwarded-For), the one the outermost proxy saw. Without it, behind a proxy
# everyone would share the proxy's address.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_address"

# How long the records of who did what are kept, in days (0: for ever). Pruned every night.
AUDIT_LOG_KEEP_DAYS = env.int("AUDIT_LOG_KEEP_DAYS", default=0)
AUDIT_REFUSED_KEEP_DAYS = env.int("AUDIT_REFUSED_KEEP_DAYS", default=365)
# Writes refused to one address without signing in, before it is answered 429 until the period
# ends (audit.middleware); and password-reset requests per address and per email (config.views).
REFUSED_WRITES_ANON_RATE = env.str("REFUSED_WRITES_ANON_RATE", default="30/min")
PASSWORD_RESET_RATE = env.str("PASSWORD_RESET_RATE", default="5/hour")
SIGN_IN_LOG_KEEP_DAYS = env.int("SIGN_IN_LOG_KEEP_DAYS", default=365)

# --- SCIM provisioning (identity.scim) -------------------------------------------------
# The directory's bearer token for /scim/v2/; empty turns SCIM off (every call is 401).
SCIM_TOKEN = env.str("SCIM_TOKEN", default="")
SCIM_SERVICE_PROVIDER = {
    "NETLOC": env.str("SCIM_NETLOC", default="localhost"),
    "USER_ADAPTER": "identity.scim.ScimPerson",
    "GROUP_ADAPTER": "identity.scim.ScimGroup",
    "GROUP_MODEL": "identity.models.DirectoryGroup",
    "USER_FILTER_PARSER": "identity.scim_filters.PersonFilter",
    "GROUP_FILTER_PARSER": "identity.scim_filters.GroupFilter",
    "AUTH_CHECK_MIDDLEWARE": "identity.scim_gate.ScimGate",
    "SERVICE_PROVIDER_CONFIG_MODEL": "identity.scim.ScimServiceProviderConfig",
    "BASE_LOCATION_GETTER": "identity.scim.base_location",
    "SCHEMAS_GETTER": "identity.scim.schemas",
    "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "identity.scim.extra_filter_kwargs_getter",
    "GET_QUERYSET_POST_PROCESSOR_GETTER": "identity.scim.queryset_post_processor_getter",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "The SCIM_TOKEN, as Authorization: Bearer <token>.",
            "primary": True,
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="Seamline SCIM"',
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous call is answered 401 with `WWW-Authenticate: Token`, which
    # tells a client what to send (session authentication names no scheme, so DRF would say
    # 403). Browsers without an Authorization header still go on to the session, CSRF included.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON read with bounds on size and nesting (common.parsers); forms as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.paging.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api_errors.exception_handler",
    # Anonymous calls are counted per address, found as for sign-in lockout (PROXY_COUNT);
    # left unset, DRF would take a client's own X-Forwarded-For at its word.
    "NUM_PROXIES": PROXY_COUNT,
    # Per signed-in user and, for anonymous calls, per address: generous for people and
    # scripts, a brake on runaway clients. The handoff webhook has its own (none).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Seamline API",
    "DESCRIPTION": (
        "Team Execution Contracts: teams, seams, handoff specs, decisions, handoffs and "
        "monthly seam metrics. Authenticate with a session or with "
        "`Authorization: Token <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; give each set of choices its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SeamStatusEnum": "seams.models.Seam.Status",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "RevisionStatusEnum": "contracts.models.ContractRevision.Status",
        "AssumptionStatusEnum": "contracts.models.Assumption.Status",
        "DecisionStatusEnum": "decisions.models.Decision.Status",
        "DependencyStatusEnum": "decisions.models.Dependency.Status",
        "ReviewStatusEnum": "metrics.models.Review.Status",
        "CorrectiveActionStatusEnum": "metrics.models.CorrectiveAction.Status",
    },
}

# --- Celery ---------------------------------------------------------------------------
# Without REDIS_URL, tasks run in-process as they are sent; with it, Redis is the broker
# and result store, and workers and beat are separate processes.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# The cache carries what workers report while they run (an import's progress), which the web
# processes read: Redis when there is one, else this process's memory (tasks run in-process).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "seamline",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_BEAT_SCHEDULE = {
    # Every night: this month's and last month's seam metrics, fresh for the morning.
    "refresh-metrics-nightly": {
        "task": "metrics.tasks.compute_metrics",
        "schedule": crontab(hour=3, minute=0),
    },
    # The 1st of each month: the month just ended gets its final snapshots.
    "close-month": {
        "task": "metrics.tasks.close_month",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    # Every night at 02:30, before anyone reads the morning's pages.
    "check-data-quality-nightly": {
        "task": "metrics.tasks.check_data_quality",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every 15 minutes: handoffs waiting past their deadline plus the spec's patience.
    "escalate-waiting-handoffs": {
        "task": "decisions.tasks.escalate_handoffs",
        "schedule": crontab(minute="*/15"),
    },
    # Every 5 minutes: handoffs that have used 75 % of their response SLA unstarted (the
    # leading signals) warn their spec owner and the receiving team's owners, once each.
    "warn-at-risk-handoffs": {
        "task": "metrics.tasks.warn_at_risk_handoffs",
        "schedule": crontab(minute="*/5"),
    },
    # Every minute: tasks whose sending failed (the broker was down) are sent again.
    "relay-outbox": {
        "task": "seams.tasks.relay_outbox",
        "schedule": crontab(minute="*"),
    },
    # Every night at 04:00: refused writes, sign-ins and (if set) changes past keeping.
    "prune-records": {
        "task": "seams.tasks.prune_records",
        "schedule": crontab(hour=4, minute=0),
    },
    # Every minute: outbound deliveries that are new or whose retry time has come.
    "send-due-deliveries": {
        "task": "connections.tasks.send_due",
        "schedule": crontab(minute="*"),
    },
    # Every 15 minutes: decisions and actions due or overdue, review packs ready (each once).
    "scan-due-events": {
        "task": "connections.tasks.scan_due_events",
        "schedule": crontab(minute="*/15"),
    },
    # Every weekday at 07:00, before the working day: overdue decisions and risky dependencies.
    "send-daily-digests": {
        "task": "decisions.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
}

# --- Logging --------------------------------------------------------------------------
# Each line names the request it belongs to ("-" outside a request), the id an error page shows.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
