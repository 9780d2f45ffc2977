#!/usr/bin/env bash
# Kafka's topic tool, in Node: ./kafka-topics.sh --create --topic bookshelf --partitions 3 --replication-factor 1
exec node "$(dirname "${BASH_SOURCE[0]}")/bookshelf/bin/kafka-topics.js" "$@"
