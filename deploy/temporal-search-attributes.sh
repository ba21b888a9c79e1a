#!/bin/sh
# Registers the tender workflow's search attributes, given as NAME=Type pairs in
# SEARCH_ATTRIBUTES. An attribute that already exists is left as it is.
set -eu

list() {
    temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" \
        --namespace "$NAMESPACE"
}

# A namespace created a moment ago takes a few seconds to be served everywhere.
max_attempts=30
attempt=1
until list >/dev/null; do
    if [ "$attempt" -ge "$max_attempts" ]; then
        echo "namespace $NAMESPACE not available after $max_attempts tries" >&2
        exit 1
    fi
    attempt=$((attempt + 1))
    sleep 2
done

for pair in $SEARCH_ATTRIBUTES; do
    name=${pair%%=*}
    type=${pair#*=}
    if list | grep -qw "$name"; then
        echo "search attribute $name exists"
        continue
    fi
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" \
        --namespace "$NAMESPACE" --name "$name" --type "$type"
    echo "search attribute $name created as $type"
done
