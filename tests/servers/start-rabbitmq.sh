#!/bin/bash
# Private RabbitMQ (Debian rabbitmq-server 3.10) on 127.0.0.1 with its own ports, epmd and data dir.
# Usage: ./start-rabbitmq.sh   -> AMQP on 127.0.0.1:${AMQP_PORT:-47672}, user guest/guest
set -euo pipefail
D=${RABBIT_DIR:-$PWD/.rabbit}
export AMQP_PORT=${AMQP_PORT:-47672}
rm -rf "$D"; mkdir -p "$D"/{mnesia,log}
cat > "$D/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
loopback_users.guest = true
CONF
echo "[]." > "$D/enabled_plugins"
cat > "$D/env.sh" <<ENV
export HOME=$D
export RABBITMQ_NODENAME=fanout-test@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$AMQP_PORT
export RABBITMQ_DIST_PORT=$((AMQP_PORT+1))
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$((AMQP_PORT+2))
export RABBITMQ_CONFIG_FILE=$D/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$D/enabled_plugins
export RABBITMQ_MNESIA_BASE=$D/mnesia
export RABBITMQ_LOG_BASE=$D/log
export RABBITMQ_PID_FILE=$D/rabbit.pid
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENV
. "$D/env.sh"
T0=$(date +%s%N)
nohup /usr/lib/rabbitmq/bin/rabbitmq-server > "$D/server.out" 2>&1 &
echo $! > "$D/launcher.pid"
/usr/lib/rabbitmq/bin/rabbitmqctl wait --timeout 120 "$RABBITMQ_PID_FILE" >/dev/null
echo "rabbitmq ready after $(( ($(date +%s%N) - T0) / 1000000 )) ms on 127.0.0.1:$AMQP_PORT (source $D/env.sh before rabbitmqctl)"
# With OWNER_PID (a test's pid), stop the broker once the owner is gone, even if it was killed
# before it could stop what it started.
if [ -n "${OWNER_PID:-}" ]; then
  setsid bash -c 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; RABBIT_DIR="$1" "$2"' \
    "$OWNER_PID" "$D" "$(cd "$(dirname "$0")" && pwd)/stop-rabbitmq.sh" >/dev/null 2>&1 </dev/null &
fi
