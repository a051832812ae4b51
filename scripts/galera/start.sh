#!/bin/bash
# A 3-node Galera cluster from the host's MariaDB 10.11 and galera-4, by hand.
# Usage: scripts/galera/start.sh; go run scripts/galera/measure.go 300000; then stop the nodes:
# kill $(cat /tmp/g14/n1.ppid) $(cat /tmp/g14/n2.ppid) $(cat /tmp/g14/n3.ppid). Not part of rehearse:
# the measurement behind docs/replicas.md#galera (issue 14).
set -e
base=/tmp/g14
addr=gcomm://127.0.0.1:4611,127.0.0.1:4612,127.0.0.1:4613
# Every node starts from a copy of one datadir that has been in the cluster
# (same grastate uuid), so a joiner needs IST only; rsync's daemon runs as
# nobody under root, so the joiners' datadirs must be writable by it.
start() {
  i=$1; shift
  /usr/sbin/mariadbd --no-defaults --user=root --datadir=$base/n$i --socket=$base/n$i.sock --port=341$i --bind-address=127.0.0.1 \
    --pid-file=$base/n$i.pid --log-error=$base/n$i.err --innodb_buffer_pool_size=64M --innodb_log_file_size=48M \
    --wsrep_on=ON --wsrep_provider=/usr/lib/galera/libgalera_smm.so --wsrep_cluster_address=$addr \
    --wsrep_node_address=127.0.0.1:461$i --wsrep_node_name=n$i \
    "--wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.1:461$i;ist.recv_addr=127.0.0.1:462$i" \
    --wsrep_sst_receive_address=127.0.0.1:463$i --wsrep_sst_method=rsync \
    --binlog_format=ROW --innodb_autoinc_lock_mode=2 "$@" &
  echo $! > $base/n$i.ppid
}
wait_ready() {
  for k in $(seq 1 240); do
    v=$(mariadb --no-defaults -uroot --socket=$base/n$1.sock -N -e "SHOW STATUS LIKE 'wsrep_ready'" 2>/dev/null | awk '{print $2}')
    [ "$v" = ON ] && return 0
    sleep 0.5
  done
  echo "n$1 not ready"; tail -20 $base/n$1.err; return 1
}
if [ ! -d $base/n1 ]; then
  mariadb-install-db --no-defaults --user=root --datadir=$base/n1 --auth-root-authentication-method=normal --skip-test-db >/dev/null 2>&1
  start 1 --wsrep-new-cluster; wait_ready 1
  kill $(cat $base/n1.ppid); while [ -e $base/n1.sock ] || kill -0 $(cat $base/n1.ppid) 2>/dev/null; do sleep 0.5; done
  rm -rf $base/n2 $base/n3
  cp -a $base/n1 $base/n2; cp -a $base/n1 $base/n3
  sed -i 's/^safe_to_bootstrap: 1/safe_to_bootstrap: 0/' $base/n2/grastate.dat $base/n3/grastate.dat
  chmod -R a+rwX $base/n2 $base/n3
fi
t0=$(date +%s.%N)
start 1 --wsrep-new-cluster; wait_ready 1
start 2; wait_ready 2
start 3; wait_ready 3
t1=$(date +%s.%N)
mariadb --no-defaults -uroot --socket=$base/n1.sock -N -e "SHOW STATUS LIKE 'wsrep_cluster_size'; SELECT VERSION(); SHOW VARIABLES LIKE 'wsrep_OSU_method'"
echo "cluster of 3 up in $(echo "$t1 - $t0" | bc) s"
