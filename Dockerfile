# One image recipe for every service: `--build-arg SERVICE=declaration` (or
# identity_verification, checkpoint, movement_trace, ward_notification).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY libs libs
COPY services services
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ARG SERVICE=declaration
RUN useradd --create-home --uid 10001 khaibao
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER khaibao
WORKDIR /home/khaibao
ENV SERVICE=${SERVICE} KHAIBAO_STATE=/home/khaibao/state PYTHONUNBUFFERED=1
# Shell form so that $SERVICE (fixed at build time) picks the module.
CMD exec python -m "services.${SERVICE}"
