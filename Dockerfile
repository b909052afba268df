# Plenary: the conference-schedule API, served by `plenary serve` (migrate, load the demo, run uvicorn).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# An unprivileged account to run the service; its home holds the default SQLite file
# when no PLENARY_DATABASE_URL is given.
RUN groupadd --system plenary \
    && useradd --system --gid plenary --create-home --home-dir /home/plenary plenary

WORKDIR /src

# What the wheel needs: the metadata (pyproject.toml, README.md is its readme), the package with
# its data files (the migrations, and the vendored Swagger UI in service/system/docs_assets that
# /docs loads), and fixtures/, which hatchling force-includes as service/_fixtures (the demo data).
COPY pyproject.toml README.md ./
COPY service/ ./service/
COPY fixtures/ ./fixtures/
RUN pip install --no-cache-dir .

ENV PLENARY_HOST=0.0.0.0 \
    PLENARY_PORT=8000

# Run outside the source tree so `import service` resolves to the installed package.
WORKDIR /home/plenary
USER plenary

EXPOSE 8000

# No curl in the slim image: ask /health with the standard library; any error or non-2xx exits 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PLENARY_PORT', '8000') + '/health', timeout=4)"]

CMD ["plenary", "serve"]
