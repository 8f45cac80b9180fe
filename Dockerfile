FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=governance.settings.production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY governance ./governance
COPY communities ./communities
COPY party_grid ./party_grid
COPY property_rating ./property_rating
COPY deliberation ./deliberation
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only-key-build-only-key-build-only-key-0123456789 python manage.py collectstatic --noinput -v0 \
    && useradd --create-home app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "governance.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
