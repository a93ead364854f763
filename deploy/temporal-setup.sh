#!/bin/sh
# The namespace and dura's search attributes (design.md, "Contracts"); both steps are idempotent.
set -eu
for _ in $(seq 1 60); do
  temporal operator cluster health >/dev/null 2>&1 && break
  sleep 2
done
temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention 365d
for attribute in DuraStage=Keyword DuraInstitution=Keyword DuraTiers=KeywordList \
  DuraInitiationDueBy=Datetime DuraNextReminderAt=Datetime DuraOverdue=Bool; do
  name="${attribute%%=*}"
  temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
    --name "$name" --type "${attribute#*=}" 2>/dev/null || echo "search attribute $name exists"
done
