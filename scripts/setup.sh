#!/usr/bin/env bash
# Installs what the tests and the demo need on a Debian machine, only when
# missing (idempotent): server and tool packages from Debian, then the
# offline-built server images (`make images`). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server mariadb-client)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v sysbench >/dev/null 2>&1 || need+=(sysbench)
command -v pt-online-schema-change >/dev/null 2>&1 || need+=(percona-toolkit)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Galera (docs/replicas.md#galera): MariaDB's wsrep provider for the host's MariaDB.
[ -e /usr/lib/galera/libgalera_smm.so ] || need+=(galera-4)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing packages: ${need[*]} — run as root or: sudo apt-get install ${need[*]}" >&2
    exit 2
  fi
  echo "setup: installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The image roots serve the local engine (MySQL 9.7, MariaDB 11.8 through
# chroot); the images serve the docker engine. Without a Docker daemon
# images.sh builds the roots only.
make --no-print-directory images
