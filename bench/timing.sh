# Sourced by the bench scripts. load: the 1-minute load average. timed NAME
# COMMAND...: runs COMMAND with its output in $tmp/NAME.log and prints one
# JSON line with its wall and CPU (user + system) seconds and the load before it.
load() { cut -d' ' -f1 /proc/loadavg; }
timed() {
  local name=$1 l
  shift
  l=$(load)
  /usr/bin/time -f "%e %U %S" -o "$tmp/$name.time" "$@" >"$tmp/$name.log" 2>&1
  read -r wall user sys <"$tmp/$name.time"
  echo "{\"impl\": \"$name\", \"seconds\": $wall, \"cpu_seconds\": $(echo "$user + $sys" | bc), \"load_before\": $l}"
}
