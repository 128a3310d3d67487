# navpartner: one image for the web process (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml picks the process with `command:`; the default below is the web server.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NAVPARTNER_VAR_DIR=/app/var

# WeasyPrint's runtime libraries (Pango, HarfBuzz font subsetting) and a font for the report PDFs.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user to run as. The code stays root-owned (read-only for the app);
# only var/ (beat schedule, report PDFs on the `media` volume) is writable.
RUN groupadd --system --gid 1000 navpartner \
    && useradd --system --uid 1000 --gid navpartner --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin navpartner

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Static files are collected into the image ($NAVPARTNER_VAR_DIR/static, served by whitenoise).
# Production settings refuse to load without a secret key and allowed hosts: the throwaway
# values here exist only for this one command and are not kept in the image's environment.
RUN NAVPARTNER_ENV=production \
    DJANGO_SECRET_KEY=collectstatic-only-build-time-throwaway-key-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown navpartner:navpartner /app/var /app/var/media

USER navpartner

EXPOSE 8000

# No HEALTHCHECK here: the same image runs beat, which has nothing to probe. docker-compose.yml
# gives web and worker their own health checks.
CMD ["gunicorn", "navpartner.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
