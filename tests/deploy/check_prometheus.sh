#!/bin/sh
# Checks deploy/prometheus with promtool: the scrape configuration, the rule
# files, and the rule unit tests in rules_test.yml. Exits 77 (skipped) when
# promtool is not installed (it comes with the Debian package prometheus).
#   check_prometheus.sh <repository root>
set -eu
root=$1
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found (apt-get install prometheus); skipping"
  exit 77
fi
promtool check config "$root/deploy/prometheus/prometheus.yml"
promtool check rules \
  "$root/deploy/prometheus/recording.rules.yml" \
  "$root/deploy/prometheus/alerts.rules.yml"
promtool test rules "$root/tests/deploy/rules_test.yml"
