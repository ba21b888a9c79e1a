#!/bin/sh
# Waits (bounded) for the cluster, then creates the namespace with an explicit
# retention for closed tenders' histories. Safe to run again.
set -eu

max_attempts=30
attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
    if [ "$attempt" -ge "$max_attempts" ]; then
        echo "Temporal at $TEMPORAL_ADDRESS not healthy after $max_attempts tries" >&2
        exit 1
    fi
    attempt=$((attempt + 1))
    sleep 2
done

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" \
    --namespace "$NAMESPACE" >/dev/null 2>&1; then
    temporal operator namespace update --address "$TEMPORAL_ADDRESS" \
        --namespace "$NAMESPACE" --retention "$RETENTION"
else
    temporal operator namespace create --address "$TEMPORAL_ADDRESS" \
        --namespace "$NAMESPACE" --retention "$RETENTION"
fi
echo "namespace $NAMESPACE ready, retention $RETENTION"
