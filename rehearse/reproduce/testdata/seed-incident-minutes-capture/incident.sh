#!/bin/bash
# The seed incident held for minutes: a transaction updates a row of investments and
# stays open HOLD s; 3 s later golang-migrate's deploy runs 20240306 (DROP INDEX
# behind the transaction's metadata lock); a writer every 8 s queues behind it.
# Processlist every second (mysql -t), InnoDB status once, the deploy's log.
set -u
P=$1; HOLD=${HOLD:-123}; OUT=${OUT:-.}
M="mysql -h127.0.0.1 -P$P -uroot"
: > $OUT/processlist.txt
( end=$((SECONDS+HOLD+8)); while [ $SECONDS -lt $end ]; do
    { date '+%F %T.%N'; $M -t -e 'SHOW FULL PROCESSLIST'; } >> $OUT/processlist.txt; sleep 1; done ) &
cap=$!
( echo "BEGIN; UPDATE investments SET units = units + 1 WHERE id = 2;"; sleep $HOLD; echo "COMMIT;" ) | $M invest &
blk=$!
sleep 3
migrate -verbose -path ${MIGRATIONS:-sc/migrations} -database "mysql://root@tcp(127.0.0.1:$P)/invest" up 2> $OUT/deploy.log &
dep=$!
sleep 1
$M -e 'SHOW ENGINE INNODB STATUS\G' > $OUT/innodbstatus1.txt
n=0
while kill -0 $dep 2>/dev/null && [ $n -lt 40 ]; do
  n=$((n+1))
  $M invest -e "INSERT INTO investments (account_id,fund_code,trade_date,units,amount) VALUES (1,'W$n','2024-03-0$(( n % 9 + 1 ))',1,1)" &
  sleep 8
done
wait $dep; echo deploy rc $?
wait $blk; wait $cap
