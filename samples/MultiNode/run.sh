#!/usr/bin/env bash
# Three nodes of the sample site behind nginx on 127.0.0.1, sharing one Redis (op store, backplane, Data Protection key
# ring), every request round-robined: no sticky sessions. A node that exits is started again after a second, as a
# process manager would, so killing one (kill -9 "$(cat RUN/node2.pid)") shows a node dying and coming back.
#
#   samples/MultiNode/run.sh                   WebSocket through the proxy
#   samples/MultiNode/run.sh --strip-upgrade   the proxy drops the Upgrade header: the widget falls back to SSE + POST
#   samples/MultiNode/run.sh --buffer          also a compressing proxy that holds whole responses (gzip of event streams,
#                                              X-Accel-Buffering ignored): event streams deliver nothing until they end,
#                                              so the widget falls back to long polling
#   --no-build                                 use the build that is there (samples/MvcSite/bin/$KEFU_CONFIGURATION)
#
# Environment: KEFU_PROXY_PORT (8080), KEFU_NODE_PORT (5101: the nodes get 5101-5103), KEFU_REDIS_PORT (6391),
# KEFU_RUN_DIR (a new temp folder: logs, pid files, nginx.conf), KEFU_CONFIGURATION (Release).
# Needs redis-server and nginx: apt-get install -y redis-server nginx. Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
PATH=$PATH:/usr/sbin # nginx lives there, outside a normal user's PATH

mode=websocket build=1
for arg in "$@"; do
  case "$arg" in
    --strip-upgrade) mode=strip ;;
    --buffer) mode=buffer ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--strip-upgrade|--buffer] [--no-build]" >&2; exit 2 ;;
  esac
done

for tool in redis-server nginx dotnet curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found: apt-get install -y redis-server nginx curl" >&2; exit 1; }
done

proxy=${KEFU_PROXY_PORT:-8080}
first=${KEFU_NODE_PORT:-5101}
redis_port=${KEFU_REDIS_PORT:-6391}
config=${KEFU_CONFIGURATION:-Release}
run=${KEFU_RUN_DIR:-$(mktemp -d /tmp/kefu-multinode.XXXXXX)}
mkdir -p "$run"
dll="samples/MvcSite/bin/$config/net10.0/MvcSite.dll"

if [ "$build" = 1 ]; then
  dotnet build samples/MvcSite -c "$config" -nologo -v:q -clp:ErrorsOnly
fi
[ -f "$dll" ] || { echo "$dll not found: build samples/MvcSite -c $config first" >&2; exit 1; }

pids=()
stop() {
  touch "$run/stop"
  for f in "$run"/node*.pid "$run"/nginx.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$run" > "$run/redis.log" 2>&1 &
pids+=($!)

# One supervisor per node: start it, wait for it to exit, start it again (unless we are stopping).
supervise() {
  local i=$1 port=$2
  while [ ! -e "$run/stop" ]; do
    ConnectionStrings__KefuRedis="127.0.0.1:$redis_port" ASPNETCORE_URLS="http://127.0.0.1:$port" \
      ASPNETCORE_ENVIRONMENT=Production dotnet "$dll" --contentRoot "$root/samples/MvcSite" >> "$run/node$i.log" 2>&1 &
    echo $! > "$run/node$i.pid"
    wait $! || true
    [ -e "$run/stop" ] || { echo "node $i (port $port) exited; starting it again" >&2; sleep 1; }
  done
}
upstreams=""
for i in 1 2 3; do
  port=$((first + i - 1))
  supervise "$i" "$port" &
  pids+=($!)
  upstreams+="    server 127.0.0.1:$port max_fails=1 fail_timeout=2s;"$'\n'
done

case "$mode" in
  websocket) upgrade=$'proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection $connection_upgrade;\n      proxy_buffering off;' ;;
  strip) upgrade=$'proxy_set_header Upgrade "";\n      proxy_set_header Connection "";\n      proxy_buffering off;' ;;
  # proxy_buffering alone still streams (nginx passes each chunk on as it arrives); gzip holds the compressed body until
  # the response ends, as compressing proxies and some corporate gateways do.
  buffer) upgrade=$'proxy_set_header Upgrade "";\n      proxy_set_header Connection "";\n      proxy_buffering on;\n      proxy_ignore_headers X-Accel-Buffering;\n      gzip on;\n      gzip_proxied any;\n      gzip_min_length 0;\n      gzip_types text/event-stream application/json;' ;;
esac

cat > "$run/nginx.conf" <<CONF
worker_processes 1;
pid $run/nginx.pid;
error_log $run/nginx-error.log warn;
events { worker_connections 4096; }
http {
  log_format upstream '\$request \$status \$upstream_addr';
  access_log $run/nginx-access.log upstream;
  client_body_temp_path $run/nginx-body;
  proxy_temp_path $run/nginx-proxy;
  fastcgi_temp_path $run/nginx-fastcgi;
  uwsgi_temp_path $run/nginx-uwsgi;
  scgi_temp_path $run/nginx-scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  # Round robin (nginx's default): each request, each reconnect, may land on another node.
  upstream kefu {
$upstreams  }
  server {
    listen 127.0.0.1:$proxy;
    location / {
      proxy_pass http://kefu;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
      $upgrade
    }
  }
}
CONF
nginx -p "$run" -c "$run/nginx.conf" -g 'daemon off;' &
pids+=($!)

# Ready when every node answers its health check directly and the proxy answers too.
for _ in $(seq 1 120); do
  ok=1
  for i in 1 2 3; do curl -fs "http://127.0.0.1:$((first + i - 1))/health" >/dev/null 2>&1 || ok=0; done
  curl -fs "http://127.0.0.1:$proxy/health" >/dev/null 2>&1 || ok=0
  [ "$ok" = 1 ] && break
  sleep 0.5
done
[ "$ok" = 1 ] || { echo "the nodes did not come up; see $run/node*.log" >&2; exit 1; }
echo "ready: http://127.0.0.1:$proxy ($mode; nodes on $first-$((first + 2)), Redis on $redis_port; logs in $run)"
wait
