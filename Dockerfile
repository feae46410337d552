# One image for every Wushe service; the compose file picks the service with
# `wushe serve <name>`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    WUSHE_DATA_DIR=/var/lib/wushe

RUN groupadd --system --gid 10001 wushe \
    && useradd --system --uid 10001 --gid wushe --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin wushe \
    && mkdir -p /var/lib/wushe \
    && chown wushe:wushe /var/lib/wushe

WORKDIR /app
COPY . .
# No extras: `embedded` carries the in-process development broker, which has
# no place in a production image.
RUN pip install --no-cache-dir .

USER wushe
WORKDIR /var/lib/wushe
EXPOSE 8000
CMD ["wushe", "serve", "intake"]
