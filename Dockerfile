# syntax=docker/dockerfile:1
# Training Portal: one image for web (gunicorn), worker and beat (celery) and migrate.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=training_portal.settings

# WeasyPrint (PDF) needs Pango/HarfBuzz; Chinese text needs a CJK font. fontconfig provides
# fc-cache so the font cache is built once here instead of at every process start.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libffi8 \
        fontconfig \
        fonts-noto-cjk \
        fonts-dejavu-core \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal \
    && useradd --system --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes --no-deps -r requirements/base.txt

COPY . .

# Build-time only values: just enough for the settings to load with DEBUG off. They are not
# ENV, so they do not end up in the image's environment; the real ones come at run time.
RUN DEBUG=false \
    SECRET_KEY=build-only-dummy-key-not-secret-never-used-at-runtime-012345 \
    ALLOWED_HOSTS=build \
    sh -c 'python manage.py compile_translations && python manage.py collectstatic --noinput' \
    && mkdir -p /app/var/media \
    && chown -R portal:portal /app/var/media

# At run time set SECRET_KEY, ALLOWED_HOSTS, SITE_URL (the address users reach: with DEBUG off
# the portal refuses to serve without it, system check core.E001), DATABASE_URL and
# CELERY_BROKER_URL, as docker-compose.yml does.
EXPOSE 8000

USER portal

# Sends a Host header the portal accepts (first concrete ALLOWED_HOSTS entry), else Django
# would answer 400 DisallowedHost. /healthz is exempt from the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', '').split(',') if h.strip() not in ('', '*')]; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': (hosts or ['localhost'])[0]}), timeout=4)"]

# Workers and threads from the CPUs the container may use (gunicorn.conf.py; WEB_CONCURRENCY and
# GUNICORN_THREADS override).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "training_portal.wsgi:application"]
