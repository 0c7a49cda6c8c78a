# The demo in a container: seven demo source systems and the gateway.
#   docker build -t c360 . && docker run -p 8000:8000 c360
# Built as a wheel and installed like any user would (not editable), so the image runs
# exactly what the package ships: saved queries and GraphiQL's assets included.
FROM python:3.11-slim AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway gateway
COPY schema schema
COPY resolvers resolvers
COPY sources sources
COPY queries queries
COPY bench bench
COPY tools tools
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 C360_HOST=0.0.0.0 C360_PORT=8000
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels && useradd --uid 10001 --create-home c360
USER 10001
WORKDIR /home/c360

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["c360", "demo", "--host", "0.0.0.0"]
