# Tastemaker: assets built with Node, a slim Python runtime, a non-root user, a data volume.
# The steps mirror the Makefile's (npm ci + npm run build; uv sync --frozen).

FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY frontend/package.json frontend/package-lock.json frontend/
RUN cd frontend && npm ci --no-audit --no-fund
COPY frontend frontend
COPY src src
RUN cd frontend && npm run build

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000
RUN pip install --no-cache-dir uv==0.13.9 \
 && useradd --system --uid 10001 --home-dir /app tastemaker \
 && mkdir -p /data && chown tastemaker /data
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY src src
COPY --from=assets /app/src/tastemaker/static/dist src/tastemaker/static/dist
RUN uv sync --frozen --no-dev && chown -R tastemaker /app
USER tastemaker
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}{os.environ.get(\"BASE_PATH\",\"\")}/api/health/ready')"
# `serve` migrates the database first, so upgrades need no separate step.
CMD ["/app/.venv/bin/tastemaker", "serve"]
