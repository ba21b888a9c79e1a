# One image for both processes: the API by default, the worker with
# `python worker.py` (see docker-compose.temporal.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TENDER_API_HOST=0.0.0.0 \
    TENDER_LOG_FORMAT=json \
    TENDER_DATA_DIR=/app/var

WORKDIR /app
COPY . .
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app tender \
    && mkdir -p /app/var \
    && chown tender /app/var

USER tender
EXPOSE 8000
CMD ["python", "-m", "devstack.api"]
