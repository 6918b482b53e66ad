# Shared set-up for scripts/demo, scripts/test and the other runners: installs
# what is missing, builds and installs the extension, and starts a throwaway
# PostgreSQL cluster that listens only on a private socket and on loopback.
#
# Source it from bash; it defines lt_* functions and sets nothing on its own.

LT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LT_PGVERSION=${LT_PGVERSION:-15}
LT_PACKAGES=(
	"postgresql-$LT_PGVERSION" "postgresql-server-dev-$LT_PGVERSION"
	"postgresql-$LT_PGVERSION-pgtap" libtap-parser-sourcehandler-pgtap-perl
	libsodium-dev pkg-config build-essential nginx-light curl python3
)

lt_log() {
	printf '==> %s\n' "$*" >&2
}

lt_die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# Install the Debian packages that are missing; as a non-root user, only
# report them, because apt-get needs root.
lt_install_deps() {
	local missing=() pkg

	for pkg in "${LT_PACKAGES[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	if [ "$(id -u)" -ne 0 ]; then
		lt_die "missing Debian packages: ${missing[*]} (install them as root with apt-get)"
	fi
	lt_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# LT_BINDIR selects another server tree, such as a private copy of the
# Debian one, so that "make install" from several checkouts on one machine
# does not overwrite the extension that another checkout is testing.
lt_bindir() {
	echo "${LT_BINDIR:-/usr/lib/postgresql/$LT_PGVERSION/bin}"
}

# Build with warnings as errors and install into the server's directories.
lt_build() {
	lt_log "building loop_tokens"
	make -C "$LT_ROOT" -s clean >/dev/null
	make -C "$LT_ROOT" -s PG_CONFIG="$(lt_bindir)/pg_config" COPT='-Werror' >/dev/null
	make -C "$LT_ROOT" -s PG_CONFIG="$(lt_bindir)/pg_config" install >/dev/null
}

# Run a server-side command as the user that owns the cluster: postgres
# refuses to run as root.
lt_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Print a free TCP port on 127.0.0.1.
lt_free_port() {
	python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Make a scratch folder that the cluster owner can write to.
lt_scratch_dir() {
	local name=$1 dir

	dir="$LT_ROOT/.tmp/$name"
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir" "$LT_ROOT/.tmp"
		if ! runuser -u postgres -- test -w "$dir"; then
			# The checkout sits below a folder postgres cannot enter, such as /root.
			dir=$(mktemp -d "/tmp/loop_tokens-$name.XXXXXX")
			chown postgres: "$dir"
		fi
	fi
	echo "$dir"
}

# Start a throwaway cluster named $1 (required), with each further argument appended as
# a postgresql.conf line. Exports PGHOST (the socket folder), PGPORT, PGUSER and LT_PGDATA.
# The cluster is stopped by lt_stop_clusters, which callers put in a trap.
lt_start_cluster() {
	local name=$1 dir bindir

	shift
	bindir=$(lt_bindir)
	dir=$(lt_scratch_dir "$name")

	# Two runs in one checkout must not wipe each other's cluster.
	if [ -f "$dir/data/postmaster.pid" ] &&
		lt_as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		lt_die "a cluster named $name is already running in $dir/data; stop it (pg_ctl -D $dir/data stop) or wait for the other run to finish"
	fi
	lt_as_owner rm -rf "$dir/data"
	export LT_PGDATA="$dir/data"
	export PGHOST="$dir" PGPORT=${PGPORT_WANTED:-$(lt_free_port)} PGUSER=postgres
	unset PGDATABASE PGPASSWORD

	lt_log "starting PostgreSQL $LT_PGVERSION in $LT_PGDATA on port $PGPORT"
	lt_as_owner "$bindir/initdb" -D "$LT_PGDATA" -U postgres --auth=trust \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; lt_die "initdb failed"; }
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $PGPORT"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		printf '%s\n' "$@"
	} | lt_as_owner tee -a "$LT_PGDATA/postgresql.conf" >/dev/null
	lt_as_owner "$bindir/pg_ctl" -D "$LT_PGDATA" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ tail -n 30 "$dir/server.log" >&2; lt_die "PostgreSQL did not start"; }
	LT_CLUSTERS+=("$LT_PGDATA")
}

lt_stop_clusters() {
	local data

	for data in "${LT_CLUSTERS[@]}"; do
		lt_as_owner "$(lt_bindir)/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
	done
	LT_CLUSTERS=()
}

LT_CLUSTERS=()
