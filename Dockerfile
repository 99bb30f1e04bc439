# One image recipe for every service; the build argument picks which one runs:
#   docker build --build-arg SERVICE=checkpoint -t khaibao-checkpoint .
# SERVICE is a module under services/: declaration, identity_verification,
# checkpoint, movement_trace, ward_notification.

# -- build: a virtualenv with the dependencies, then the project itself --------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, read from pyproject.toml alone: editing code does not
# invalidate this (slow) layer, only changing the dependency list does.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY README.md LICENSE ./
COPY libs libs
COPY services services
# Not editable: the venv must work once copied without /src.
RUN pip install --no-deps .

# -- runtime: the venv, the demo-seed module, an unprivileged user ------------
FROM python:3.11-slim-bookworm
ARG SERVICE=declaration
# A numeric uid, so Kubernetes' runAsNonRoot can check it without a passwd lookup.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/khaibao khaibao \
    && mkdir -p /home/khaibao/state/keys && chown -R 10001:10001 /home/khaibao/state
COPY --from=build /opt/venv /opt/venv
# The demo seed (`python -m deploy.local.demo`, compose's demo-seed job) and the
# local launcher it builds on are not part of the wheel; they sit in /app, the
# working directory, so `python -m deploy...` finds them. Read-only for the user.
COPY deploy/__init__.py /app/deploy/__init__.py
COPY deploy/local/*.py /app/deploy/local/
# Development additions to the realm (demo staff, the token client), also run by demo-seed.
COPY deploy/keycloak/*.py /app/deploy/keycloak/
# The synthetic residents and trips the demo seeds (not in the wheel: no invented people
# in a service's package).
COPY synthetic /app/synthetic
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SERVICE=${SERVICE} \
    KHAIBAO_STATE=/home/khaibao/state
# Fail the build, not the first start, when SERVICE names no runnable service.
RUN python -c "import importlib.util, sys; m = 'services.' + sys.argv[1] + '.__main__'; \
sys.exit(None if importlib.util.find_spec(m) else 'no module ' + m)" "$SERVICE"
USER 10001:10001
# Shell form so that $SERVICE (fixed at build time) picks the module; `exec`
# makes Python PID 1, so SIGTERM reaches uvicorn and it shuts down gracefully
# (what hadolint's DL3025 asks JSON form for).
# hadolint ignore=DL3025
CMD exec python -m "services.${SERVICE}"
