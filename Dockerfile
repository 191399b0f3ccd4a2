# A slim image that runs the bot as a non-root user. Settings come from the environment
# (see .env.example); over HTTP it listens on $PORT (3000), in Socket Mode it needs no port.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATE_PATH=/data/bot-state.sqlite3

RUN useradd --create-home --uid 10001 bot && mkdir /data && chown bot /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install . && rm -rf /root/.cache

USER bot
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=2)"
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
