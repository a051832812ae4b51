#!/bin/sh
# docker-entrypoint.sh of the rehearse/* images: the contract of the official
# mysql and mariadb images, so the same testcontainers code serves both.
#
#   docker run -e MYSQL_ALLOW_EMPTY_PASSWORD=yes rehearse/mysql:9.7 --max-connections=500
#   docker run -e MARIADB_ROOT_PASSWORD=pw rehearse/mariadb:11.8 mariadbd --innodb-buffer-pool-size=256M
#
# Environment (MARIADB_* and MYSQL_* spellings both work; *_FILE variants read
# the value from a file):
#   MYSQL_ROOT_PASSWORD / MARIADB_ROOT_PASSWORD               root password
#   MYSQL_ALLOW_EMPTY_PASSWORD / MARIADB_ALLOW_EMPTY_ROOT_PASSWORD  root without a password
#   MYSQL_RANDOM_ROOT_PASSWORD / MARIADB_RANDOM_ROOT_PASSWORD  generate one (printed once)
#   MYSQL_ROOT_HOST / MARIADB_ROOT_HOST                        root's host (default %)
#   MYSQL_DATABASE / MARIADB_DATABASE                          database to create
#   MYSQL_USER, MYSQL_PASSWORD / MARIADB_USER, MARIADB_PASSWORD  a user with all rights on it
# Arguments: `--opt ...` or `mysqld|mariadbd --opt ...` start the server with
# those options (passed to initialisation too, e.g. lower_case_table_names);
# anything else is executed as is.
#
# On the first start the datadir is initialised (or the one initialised at
# build time is used, when no option that must be fixed at initialisation is
# given: lower_case_table_names, innodb_page_size, ...) and the users are
# created through --init-file read from a FIFO: passwords never touch the
# disk.
set -eu

server=mysqld
[ -x /usr/sbin/mariadbd ] && server=mariadbd

log() { echo "entrypoint: $*" >&2; }
die() { log "error: $*"; exit 1; }

# init_datadir DATADIR [SERVER OPTIONS...]: a fresh datadir whose only user
# is root@localhost without a password.
init_datadir() {
	d=$1
	shift
	if [ "$server" = mariadbd ]; then
		mariadb-install-db --user=mysql --datadir="$d" --auth-root-authentication-method=normal \
			--skip-test-db --skip-name-resolve --skip-log-bin "$@" >/dev/null ||
			die "mariadb-install-db failed"
	else
		mysqld --initialize-insecure --user=mysql --datadir="$d" "$@" ||
			die "mysqld --initialize-insecure failed"
	fi
}

# `docker-entrypoint.sh rehearse-template`, run by scripts/images.sh through
# chroot at build time: initialise /var/lib/mysql once, so that a container
# started without options that must be fixed at initialisation skips the
# seconds initialisation takes. The server's identity (auto.cnf: server_uuid)
# is removed: each container makes its own. The TLS and RSA keys MySQL made
# are kept (making them costs 1-2 s of every start): they are made on the
# machine that builds the image, which is never pushed anywhere.
if [ "${1:-}" = rehearse-template ]; then
	t=/var/lib/mysql
	find "$t" -mindepth 1 -delete
	chown mysql:mysql "$t"
	init_datadir "$t"
	rm -f "$t/auto.cnf"
	touch "$t/.rehearse-template"
	chown mysql:mysql "$t/.rehearse-template"
	exit 0
fi

# fixed_at_init reports whether server options hold one that must be given
# when the datadir is initialised (the pre-initialised one cannot serve).
fixed_at_init() {
	for a in "$@"; do
		case "$a" in
		--lower[-_]case[-_]table[-_]names* | --innodb[-_]page[-_]size* | --innodb[-_]data[-_]file[-_]path* | \
			--innodb[-_]data[-_]home[-_]dir* | --innodb[-_]undo[-_]* | --innodb[-_]log[-_]group[-_]home[-_]dir* | \
			--innodb[-_]checksum[-_]algorithm*)
			return 0
			;;
		esac
	done
	return 1
}

case "${1:-}" in
"" | -*) set -- "$server" "$@" ;;
esac

is_server=0
case "$1" in
mysqld | mariadbd | /usr/sbin/mysqld | /usr/sbin/mariadbd) is_server=1 ;;
esac
for a in "$@"; do
	case "$a" in
	--help | --version | -V | -\? | --verbose) is_server=0 ;;
	esac
done
[ "$is_server" = 1 ] || exec "$@"

# env_of NAME...: the first set variable among NAME and NAME_FILE.
env_of() {
	for n in "$@"; do
		eval "v=\${$n:-}"
		if [ -n "$v" ]; then printf '%s' "$v"; return; fi
		eval "f=\${${n}_FILE:-}"
		if [ -n "$f" ]; then cat "$f"; return; fi
	done
}

datadir=/var/lib/mysql
prev=""
for a in "$@"; do
	case "$a" in
	--datadir=*) datadir=${a#--datadir=} ;;
	esac
	[ "$prev" = "--datadir" ] && datadir=$a
	prev=$a
done

mkdir -p /run/mysqld "$datadir"
if [ "$(id -u)" = 0 ]; then
	chown mysql:mysql /run/mysqld
	chown mysql:mysql "$datadir" 2>/dev/null || true
fi

template=0
if [ -f "$datadir/.rehearse-template" ]; then
	if fixed_at_init "$@"; then
		log "options fixed at initialisation given: initialising $datadir afresh"
		find "$datadir" -mindepth 1 -delete
	else
		template=1
	fi
fi

root_pw=$(env_of MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD)
root_host=$(env_of MARIADB_ROOT_HOST MYSQL_ROOT_HOST)
: "${root_host:=%}"
init=0
[ "$template" = 1 ] || [ ! -d "$datadir/mysql" ] && init=1

# quote X: X as an SQL string literal.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g")"; }
# ident X: X as an SQL identifier.
ident() { printf '`%s`' "$(printf '%s' "$1" | sed -e 's/`/``/g')"; }
nl='
'

# root_sql: root@ROOT_HOST with the password (set again on every start, so a
# datadir reused from an earlier container takes this container's password),
# root@localhost with the same one, and no other root or anonymous account:
# mariadb-install-db also makes root@127.0.0.1, root@::1 and root@<the
# build host's name> without a password.
root_sql() {
	by=""
	[ -n "$root_pw" ] && by=" IDENTIFIED BY $(quote "$root_pw")"
	printf '%s\n' "CREATE USER IF NOT EXISTS 'root'@$(quote "$root_host")$by;"
	[ -n "$root_pw" ] && printf '%s\n' "ALTER USER 'root'@$(quote "$root_host")$by;" \
		"ALTER USER IF EXISTS 'root'@'localhost'$by;"
	printf '%s\n' "GRANT ALL PRIVILEGES ON *.* TO 'root'@$(quote "$root_host") WITH GRANT OPTION;" \
		"SET @rehearse_drop = (SELECT CONCAT('DROP USER ', GROUP_CONCAT(CONCAT(QUOTE(User), '@', QUOTE(Host)))) FROM mysql.user WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', $(quote "$root_host"))));" \
		"SET @rehearse_drop = IFNULL(@rehearse_drop, 'DO 0');" \
		"PREPARE rehearse_drop FROM @rehearse_drop;" \
		"EXECUTE rehearse_drop;" \
		"DEALLOCATE PREPARE rehearse_drop;"
}

sql=""
if [ "$init" = 1 ]; then
	allow_empty=$(env_of MARIADB_ALLOW_EMPTY_ROOT_PASSWORD MYSQL_ALLOW_EMPTY_PASSWORD)
	random_pw=$(env_of MARIADB_RANDOM_ROOT_PASSWORD MYSQL_RANDOM_ROOT_PASSWORD)
	database=$(env_of MARIADB_DATABASE MYSQL_DATABASE)
	user=$(env_of MARIADB_USER MYSQL_USER)
	user_pw=$(env_of MARIADB_PASSWORD MYSQL_PASSWORD)
	if [ -z "$root_pw" ] && [ -z "$allow_empty" ] && [ -z "$random_pw" ]; then
		die "database is uninitialized and password option is not specified: set one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD (or their MARIADB_ spellings)"
	fi
	if [ -n "$random_pw" ] && [ -z "$root_pw" ]; then
		root_pw=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)
		echo "GENERATED ROOT PASSWORD: $root_pw"
	fi
	if [ "$user" = root ]; then
		die "MYSQL_USER=root: root is created by MYSQL_ROOT_PASSWORD; use another user name"
	fi
	case "$root_pw$user_pw$database$user$root_host" in
	*"$nl"*) die "passwords, names and hosts must not contain a newline" ;;
	esac

	if [ "$template" = 1 ]; then
		log "using the datadir initialised at build time"
		rm -f "$datadir/.rehearse-template"
	else
		log "initialising $datadir ($server)"
		shift # the server name; the rest are server options
		init_datadir "$datadir" "$@"
		set -- "$server" "$@"
	fi

	sql=$(root_sql)
	if [ -n "$database" ]; then
		sql="$sql
CREATE DATABASE IF NOT EXISTS $(ident "$database");"
	fi
	if [ -n "$user" ]; then
		sql="$sql
CREATE USER IF NOT EXISTS $(quote "$user")@'%' IDENTIFIED BY $(quote "$user_pw");"
		if [ -n "$database" ]; then
			sql="$sql
GRANT ALL PRIVILEGES ON $(ident "$database").* TO $(quote "$user")@'%';"
		fi
	fi
	what="users created on first start"
elif [ -n "$root_pw" ]; then
	# An initialised datadir (a volume or bind mount from an earlier
	# container): root takes this container's password.
	case "$root_pw$root_host" in
	*"$nl"*) die "passwords and hosts must not contain a newline" ;;
	esac
	sql=$(root_sql)
	what="root's password set on an initialised datadir"
fi

if [ -n "$sql" ]; then
	fifo=/run/mysqld/init-$$.sql
	rm -f "$fifo"
	mkfifo -m 0600 "$fifo"
	[ "$(id -u)" = 0 ] && chown mysql:mysql "$fifo"
	# The server opens the FIFO once at start-up; the writer ends then.
	(printf '%s\n' "$sql" >"$fifo"; rm -f "$fifo") &
	set -- "$@" --init-file="$fifo"
	log "$what; starting $server"
fi

exec "$@"
