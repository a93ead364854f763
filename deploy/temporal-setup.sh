#!/bin/sh
# The namespace and dura's search attributes (design.md, "Contracts"); both steps are idempotent.
# Both runners use it: compose's temporal-setup job and scripts/production.sh, each with the `temporal`
# CLI on PATH and TEMPORAL_ADDRESS set.
set -eu
: "${TEMPORAL_NAMESPACE:=default}"
for _ in $(seq 1 60); do
  temporal operator cluster health >/dev/null 2>&1 && break
  sleep 2
done
temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention 365d
# A new namespace reaches the frontend's cache only after a few seconds, and a create can fail
# meanwhile: retry until every attribute is listed.
for _ in $(seq 1 30); do
  listed="$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" 2>/dev/null || true)"
  missing=""
  for attribute in DuraStage=Keyword DuraInstitution=Keyword DuraTiers=KeywordList \
    DuraInitiationDueBy=Datetime DuraNextReminderAt=Datetime DuraOverdue=Bool DuraExpiresOn=Datetime; do
    name="${attribute%%=*}"
    echo "$listed" | grep -qw "$name" && continue
    missing="$missing $name"
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
      --name "$name" --type "${attribute#*=}" >/dev/null 2>&1 || true
  done
  if [ -z "$missing" ]; then echo "search attributes ready"; exit 0; fi
  sleep 2
done
echo "search attributes not created:$missing" >&2
exit 1
