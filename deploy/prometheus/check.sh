#!/bin/sh
# The scrape config and alert rules are valid and the rules fire (and stay quiet) as
# alerts_test.yml expects: promtool from Debian's prometheus package.
set -eu
dir=$(dirname "$0")
promtool check config "$dir/prometheus.yml"
promtool check rules "$dir/alerts.yml"
cd "$dir" && promtool test rules alerts_test.yml
