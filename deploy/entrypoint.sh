#!/bin/sh
# The image's roles (deploy/Dockerfile). Anything else runs as given.
set -eu
role="${1:-rasa}"
case "$role" in
  rasa)
    shift || true
    # The HTTP API (conversations read/changed) only with a token.
    api=""
    if [ -n "${RASA_API_TOKEN:-}" ]; then api="--enable-api --auth-token $RASA_API_TOKEN"; fi
    # shellcheck disable=SC2086  # $api and the origins list split on purpose
    exec python -m rasa run --model /app/models --port "${RASA_PORT:-5005}" \
      --endpoints /app/deploy/endpoints.yml --credentials /app/credentials.yml \
      --cors ${WIDGET_ALLOWED_ORIGINS:-} $api "$@"
    ;;
  actions)
    shift || true
    exec python -m rasa_sdk --actions actions --port "${ACTIONS_PORT:-5055}" "$@"
    ;;
  purge)
    # Conversations idle past the retention period (scripts/purge.py).
    shift || true
    exec python /app/scripts/purge.py "$@"
    ;;
  reminders)
    # One pass of the reminder worker (the CronJob); add --every 60 to keep going.
    shift || true
    exec python /app/scripts/reminders_due.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
