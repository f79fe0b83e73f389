# Helpers to run a private PostgreSQL 15 cluster (sourced by run.sh and test.sh).
# initdb refuses to run as root, so as root the cluster runs as the unprivileged `postgres` user
# (created by the postgresql-common package); as any other user it runs as that user.

PG_BIN=/usr/lib/postgresql/15/bin

as_pg_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# pg_prepare_dir DIR: creates DIR owned by the cluster user.
pg_prepare_dir() {
    mkdir -p "$1"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$1"
    fi
    chmod 700 "$1"
}

# pg_init DIR: initdb once (idempotent); local trust authentication (the cluster listens on loopback only).
pg_init() {
    local dir=$1
    if [ -f "$dir/PG_VERSION" ]; then
        return 0
    fi
    pg_prepare_dir "$dir"
    as_pg_user "$PG_BIN/initdb" -D "$dir" --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
        >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; return 1; }
}

# pg_start DIR PORT [extra postgres -c options...]
pg_start() {
    local dir=$1 port=$2
    shift 2
    local opts="-p $port -k $dir -c listen_addresses=127.0.0.1"
    for o in "$@"; do opts="$opts -c $o"; done
    as_pg_user "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null
}

pg_stop() {
    local dir=$1
    if [ -f "$dir/postmaster.pid" ]; then
        as_pg_user "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null || true
    fi
}

# free_port: an unused TCP port on loopback.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# pg_create_db PORT NAME: creates the database if it does not exist.
pg_create_db() {
    local port=$1 name=$2
    if ! as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        as_pg_user "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
    fi
}
