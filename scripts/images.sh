#!/usr/bin/env bash
# images.sh — build the server images rehearse uses when no registry is
# reachable: Debian's own MySQL/MariaDB packages, installed with debootstrap
# into a root file system, imported into Docker as rehearse/<flavor>:<version>.
#
#   scripts/images.sh                 # all images
#   scripts/images.sh mysql-9.7       # only some (mariadb-10.11 mariadb-11.8 mysql-9.7)
#
# Each root stays in $REHEARSE_ROOTFS_DIR/<flavor>-<version> (default
# /var/lib/rehearse/rootfs): the local engine runs the same server binaries
# through chroot (rehearse sandbox --engine local --rootfs DIR).
#
# Each root is the suite plus its updates: the -updates and -security suites
# where the distribution has them (bookworm, trixie; sid has none), so the
# server's patch version is the one a Debian host of that release runs (the
# host's mariadb-server 10.11.19 is bookworm-security's; bookworm alone has
# 10.11.18).
#
# Idempotent: a finished root (marker /etc/rehearse-image inside it, which
# records the suites it was built from and the server's exact version) is
# not rebuilt, an existing image is not re-imported. A root or image built
# from other suites than the catalog's (before the updates were added) is
# outdated and rebuilt. When an image exists but its root does not, the root
# is exported from the image (fast).
#
# The mirror is read from apt's configuration on this machine
# (/etc/apt/sources.list.d/*.sources or /etc/apt/sources.list);
# REHEARSE_DEBIAN_MIRROR overrides it. Needs root, debootstrap and (for the
# images) a Docker daemon; without a daemon only the roots are built.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
ROOTFS_DIR=${REHEARSE_ROOTFS_DIR:-/var/lib/rehearse/rootfs}
KEYRING=${REHEARSE_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# name  flavor  version  suites (the first is debootstrap's, the others its updates)  packages
catalog=(
	"mysql-9.7     mysql    9.7   sid                                        mysql-server,mysql-client"
	"mariadb-11.8  mariadb  11.8  trixie,trixie-updates,trixie-security      mariadb-server,mariadb-client"
	"mariadb-10.11 mariadb  10.11 bookworm,bookworm-updates,bookworm-security mariadb-server,mariadb-client"
)

# IMAGE_FORMAT changes when what finish_root puts into a root changes; a
# root or image of an older format is refreshed (no new debootstrap).
# 2: build-time initialised datadir. 3: it keeps MySQL's TLS/RSA keys.
# 4: the image is labelled with the suites and the server's exact version
# (rehearse.suites, rehearse.server_version: the auto engine picks the
# engine with the snapshot's exact version).
IMAGE_FORMAT=4
# STAMP is what a root (/etc/rehearse-image) and an image (label
# rehearse.format) record: the format and a digest of the files finish_root
# installs, so that a change of images/entrypoint.sh or images/my.cnf
# refreshes what was built from the old ones without a format bump.
STAMP="$IMAGE_FORMAT-$(cat "$here/images/entrypoint.sh" "$here/images/my.cnf" | sha256sum | cut -c1-12)"

log() { printf 'images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# mirror prints the first non-security Debian URI apt is configured with.
mirror() {
	if [ -n "${REHEARSE_DEBIAN_MIRROR:-}" ]; then
		echo "$REHEARSE_DEBIAN_MIRROR"
		return
	fi
	local uri=""
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk 'tolower($1)=="uris:" { for (i=2;i<=NF;i++) if ($i !~ /security/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } else break } }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	fi
	[ -n "$uri" ] || die "no Debian mirror in apt's configuration (/etc/apt/sources.list.d/*.sources, /etc/apt/sources.list); set REHEARSE_DEBIAN_MIRROR=URI"
	echo "${uri%/}"
}

# security_mirror prints the URI of Debian's security archive: the one apt
# is configured with, else the mirror's sibling debian-security;
# REHEARSE_DEBIAN_SECURITY_MIRROR overrides it.
security_mirror() {
	if [ -n "${REHEARSE_DEBIAN_SECURITY_MIRROR:-}" ]; then
		echo "$REHEARSE_DEBIAN_SECURITY_MIRROR"
		return
	fi
	local uri="" f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk 'tolower($1)=="uris:" { for (i=2;i<=NF;i++) if ($i ~ /security/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\/.*security/) { print $i; exit } }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	fi
	if [ -z "$uri" ]; then
		uri="$(mirror)"
		uri="${uri%/debian}/debian-security"
	fi
	echo "${uri%/}"
}

# add_updates ROOT SUITES upgrades a debootstrapped root with the suites
# after the first (SUITE-updates from the mirror, SUITE-security from the
# security archive), as a Debian host with the default sources has them.
# Nothing in the root starts (policy-rc.d); /proc is mounted for dpkg's
# maintainer scripts and unmounted after.
add_updates() {
	local root=$1 suites=$2 m sm s
	[ "${suites#*,}" != "$suites" ] || return 0
	m=$(mirror)
	sm=$(security_mirror)
	: >"$root/etc/apt/sources.list"
	for s in ${suites//,/ }; do
		case "$s" in
		*-security) echo "deb $sm $s main" ;;
		*) echo "deb $m $s main" ;;
		esac >>"$root/etc/apt/sources.list"
	done
	rm -f "$root/etc/apt/sources.list.d/"*.sources 2>/dev/null || true
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	mount -t proc proc "$root/proc"
	local rc=0
	chroot "$root" apt-get -q update && DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -q -y \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade || rc=$?
	umount -l "$root/proc" 2>/dev/null || true
	rm -f "$root/usr/sbin/policy-rc.d"
	return $rc
}

# root_suites ROOT prints the suites a root's packages come from: the
# suites of its own apt sources (debootstrap writes the first; add_updates
# the others), comma-separated.
root_suites() {
	local root=$1
	awk '$1=="deb" { printf "%s%s", sep, $3; sep="," }' "$root/etc/apt/sources.list" 2>/dev/null || true
}

# unmount_under DIR unmounts everything mounted below DIR (a killed
# debootstrap leaves proc/sys mounted), deepest first.
unmount_under() {
	local dir=$1
	awk -v d="$dir/" 'index($2, d)==1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

have_docker() { command -v docker >/dev/null && docker info >/dev/null 2>&1; }

# trim removes what a server does not need: docs, man pages, locales, apt
# lists and caches, the datadir Debian's postinst initialised.
trim() {
	local root=$1
	rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
		"$root"/usr/share/locale/* "$root"/usr/share/lintian "$root"/usr/share/linda \
		"$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
		"$root"/var/log/*.log "$root"/var/log/apt/* "$root"/var/log/mysql/* \
		"$root"/var/lib/mysql/* "$root"/var/lib/mysql-files/* "$root"/tmp/* "$root"/root/.bash_history
}

# prepare_chroot makes a root usable through chroot by the local engine,
# which mounts nothing: the devices a server opens, a /tmp, and an /etc/hosts
# naming localhost (mariadb-install-db refuses to run when neither the host
# name nor localhost resolves; Docker provides its own /etc/hosts). Cheap
# and idempotent: run on every invocation.
prepare_chroot() {
	local root=$1 dev spec
	mkdir -p "$root/tmp" "$root/dev"
	chmod 1777 "$root/tmp"
	for spec in "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" "urandom c 1 9" "tty c 5 0"; do
		set -- $spec
		dev="$root/dev/$1"
		[ -c "$dev" ] || { rm -f "$dev"; mknod -m 0666 "$dev" "$2" "$3" "$4"; }
	done
	if ! grep -qs '^127\.0\.0\.1[[:space:]].*localhost' "$root/etc/hosts"; then
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >>"$root/etc/hosts"
	fi
}

# finish_root installs the entrypoint and configuration and checks that the
# server runs inside the root through chroot (as the local engine does).
finish_root() {
	local root=$1 flavor=$2 version=$3 suites=$4
	install -m 0755 "$here/images/entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
	# Our own my.cnf, the same for both flavors (Debian's binds to 127.0.0.1
	# and logs to a file; the official images log to stderr and listen on all
	# interfaces). my.cnf may be an alternatives link: replace the link.
	rm -f "$root/etc/mysql/my.cnf"
	install -m 0644 "$here/images/my.cnf" "$root/etc/mysql/my.cnf"
	mkdir -p "$root/etc/mysql/conf.d" "$root/var/lib/mysql" "$root/run/mysqld" "$root/var/lib/mysql-files"
	chroot "$root" chown mysql:mysql /var/lib/mysql /run/mysqld /var/lib/mysql-files
	prepare_chroot "$root"
	local server=/usr/sbin/mysqld
	[ -x "$root/usr/sbin/mariadbd" ] && server=/usr/sbin/mariadbd
	local ver
	ver=$(chroot "$root" "$server" --version) || die "$server --version fails inside $root"
	case "$ver" in
	*" $version."*) ;;
	*) die "$root: expected $flavor $version, $server says: $ver" ;;
	esac
	# A datadir initialised once at build time, used by containers started
	# without options fixed at initialisation (see images/entrypoint.sh).
	chroot "$root" /usr/local/bin/docker-entrypoint.sh rehearse-template ||
		die "$root: initialising the build-time datadir failed"
	local exact built
	exact=$(printf '%s\n' "$ver" | sed -n 's/.*Ver \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
	[ -n "$exact" ] || die "$root: cannot read the exact version in: $ver"
	built=$(sed -n 's/^built=//p' "$root/etc/rehearse-image" 2>/dev/null || true)
	{
		echo "format=$STAMP"
		echo "flavor=$flavor"
		echo "version=$version"
		echo "suite=${suites%%,*}"
		echo "suites=$suites"
		echo "server=$server"
		echo "server_version=$ver"
		echo "exact_version=$exact"
		echo "built=${built:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
	} >"$root/etc/rehearse-image"
	log "$(basename "$root"): $ver"
}

build_root() {
	local name=$1 flavor=$2 version=$3 suites=$4 pkgs=$5 suite=${4%%,*}
	local root="$ROOTFS_DIR/$name" part="$ROOTFS_DIR/.$name.partial"
	mkdir -p "$ROOTFS_DIR"
	unmount_under "$part"
	rm -rf --one-file-system "$part"
	trap 'unmount_under "'"$part"'"; rm -rf --one-file-system "'"$part"'"' EXIT
	local m
	m=$(mirror)
	log "$name: debootstrap $suite ($pkgs) from the apt mirror$([ "$suites" = "$suite" ] || echo ", upgraded from ${suites#"$suite",}"), a few minutes"
	local args=(--variant=minbase --include="$pkgs" --components=main)
	[ -r "$KEYRING" ] && args+=(--keyring="$KEYRING")
	if ! debootstrap "${args[@]}" "$suite" "$part" "$m" >"$ROOTFS_DIR/.$name.log" 2>&1; then
		tail -n 30 "$ROOTFS_DIR/.$name.log" >&2
		die "$name: debootstrap failed (full log: $ROOTFS_DIR/.$name.log)"
	fi
	unmount_under "$part"
	if ! add_updates "$part" "$suites" >>"$ROOTFS_DIR/.$name.log" 2>&1; then
		unmount_under "$part"
		tail -n 30 "$ROOTFS_DIR/.$name.log" >&2
		die "$name: upgrading with $suites failed (full log: $ROOTFS_DIR/.$name.log)"
	fi
	unmount_under "$part"
	trim "$part"
	finish_root "$part" "$flavor" "$version" "$suites"
	rm -rf --one-file-system "$root"
	mv "$part" "$root"
	trap - EXIT
	rm -f "$ROOTFS_DIR/.$name.log"
}

# root_from_image recreates a root from an existing image.
root_from_image() {
	local name=$1 image=$2
	local root="$ROOTFS_DIR/$name" part="$ROOTFS_DIR/.$name.partial"
	mkdir -p "$part"
	local cid
	cid=$(docker create "$image" true)
	docker export "$cid" | tar -C "$part" -x
	docker rm -f "$cid" >/dev/null
	# Docker exports its own /dev entries and /etc/hosts as empty files.
	rm -rf "$part/dev"
	prepare_chroot "$part"
	rm -rf --one-file-system "$root"
	mv "$part" "$root"
}

import_image() {
	local name=$1 flavor=$2 version=$3 suites=$4 image=$5
	local root="$ROOTFS_DIR/$name" exact
	exact=$(sed -n 's/^exact_version=//p' "$root/etc/rehearse-image")
	local server=mysqld
	[ -x "$root/usr/sbin/mariadbd" ] && server=mariadbd
	log "$name: docker import as $image"
	# /dev, /proc and /sys are provided by the container runtime; /tmp may
	# hold sandboxes the local engine runs in this root right now.
	tar -C "$root" --numeric-owner --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* --exclude=./tmp/* --exclude=./run/mysqld/* -c . |
		docker import \
			--change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
			--change "CMD [\"$server\"]" \
			--change 'EXPOSE 3306' \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			--change "LABEL org.opencontainers.image.title=rehearse-$name rehearse.flavor=$flavor rehearse.version=$version rehearse.suite=${suites%%,*} rehearse.suites=$suites rehearse.server_version=$exact rehearse.format=$STAMP" \
			- "$image" >/dev/null
}

main() {
	[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it): sudo make images"
	command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap debian-archive-keyring"
	# One build at a time (CI and a person may both run `make images`).
	mkdir -p "$ROOTFS_DIR"
	exec 9>"$ROOTFS_DIR/.lock"
	flock -n 9 || { log "another images.sh is running; waiting for it"; flock 9; }
	local want=("$@") docker_ok=1
	have_docker || { docker_ok=0; log "no Docker daemon answers: building the roots only (start Docker and rerun for the images)"; }
	local line name flavor version suites pkgs image t0 built=0
	for line in "${catalog[@]}"; do
		read -r name flavor version suites pkgs <<<"$line"
		if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx "$name"; then
			continue
		fi
		image="rehearse/$flavor:$version"
		t0=$(date +%s)
		local root="$ROOTFS_DIR/$name" did=""
		local img_ok=0 old_id=""
		if [ $docker_ok = 1 ] && docker image inspect "$image" >/dev/null 2>&1; then
			img_ok=1
			local labels
			labels=$(docker image inspect -f '{{index .Config.Labels "rehearse.format"}} {{index .Config.Labels "rehearse.suites"}}' "$image")
			if [ "${labels%% *}" != "$STAMP" ] || [ "${labels#* }" != "$suites" ]; then
				log "$name: $image is of an older format or built without $suites: rebuilding it"
				# Not removed first: a running container may use it. The
				# import takes the tag over; the old image goes when unused.
				old_id=$(docker image inspect -f '{{.Id}}' "$image")
				img_ok=0
			fi
		fi
		if [ -f "$root/etc/rehearse-image" ] && [ "$(root_suites "$root")" != "$suites" ]; then
			# Built without the distribution's updates: an older patch
			# version than a Debian host of the release runs. Rebuilt in
			# .partial; the old root stays usable until the swap.
			log "$name: root built from $(root_suites "$root"), not $suites: rebuilding it"
			build_root "$name" "$flavor" "$version" "$suites" "$pkgs"
			img_ok=0
			did=1
		fi
		if [ -f "$root/etc/rehearse-image" ]; then
			prepare_chroot "$root"
			if ! grep -qx "format=$STAMP" "$root/etc/rehearse-image"; then
				log "$name: root of an older format: refreshing it"
				finish_root "$root" "$flavor" "$version" "$suites"
				did=1
			fi
		fi
		if [ ! -f "$root/etc/rehearse-image" ]; then
			if [ $img_ok = 1 ]; then
				log "$name: root missing, exporting it from $image"
				root_from_image "$name" "$image"
			else
				build_root "$name" "$flavor" "$version" "$suites" "$pkgs"
			fi
			did=1
		fi
		if [ $docker_ok = 1 ] && [ $img_ok = 0 ]; then
			import_image "$name" "$flavor" "$version" "$suites" "$image"
			[ -z "$old_id" ] || docker image rm "$old_id" >/dev/null 2>&1 || true
			did=1
		fi
		if [ -n "$did" ]; then
			log "$name: done in $(($(date +%s) - t0)) s (root $root$([ $docker_ok = 1 ] && echo ", image $image"))"
			built=$((built + 1))
		else
			log "$name: up to date (root $root$([ $docker_ok = 1 ] && echo ", image $image"))"
		fi
	done
	[ $built = 0 ] || log "built $built"
}

main "$@"
