# Shared by scripts/backup and scripts/restore (sourced, not run).

# The comment at the top of the script.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

die() { echo "${0##*/}: $*" >&2; exit 1; }

need() {  # need PROGRAM DEBIAN-PACKAGE
  command -v "$1" >/dev/null || die "$1 is missing: install Debian's $2"
}

# Reads a systemd EnvironmentFile (NAME=value lines, optional quotes, # comments) into the
# environment. Not sourced by the shell: values such as "Bureau <x@example.org>" are text.
load_env_file() {
  [ -r "$1" ] || die "cannot read the environment file $1"
  local line name value
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    case "$line" in ''|'#'*|';'*) continue ;; esac
    name="${line%%=*}"; value="${line#*=}"
    name="${name%"${name##*[![:space:]]}"}"
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    value="${value#"${value%%[![:space:]]*}"}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    export "$name=$value"
  done < "$1"
}

# postgres://, postgresql:// or pgsql:// as libpq (pg_dump, psql) reads it.
libpq_url() { echo "postgresql://${1#*://}"; }

# A URL without its password, for messages.
redact() { echo "$1" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#'; }

# Sets state_dir, db_kind (postgresql or sqlite), db_url / db_path and db_safe from the
# environment, as Bureau's settings read it.
resolve_settings() {
  # Bureau's default: the var folder beside the bureau package, here the checkout's.
  state_dir="${BUREAU_STATE_DIR:-$(cd "$here/.." && pwd)/var}"
  case "$state_dir" in /*) ;; *) die "the state folder must be an absolute path: $state_dir" ;; esac
  local url="${DATABASE_URL:-sqlite:///$state_dir/bureau.sqlite3}"
  db_path=""
  case "$url" in
    postgres://*|postgresql://*|pgsql://*)
      db_kind=postgresql; db_url=$(libpq_url "$url"); db_safe=$(redact "$url") ;;
    sqlite://*)
      # sqlite:////absolute/path, as dj-database-url reads it (three slashes: relative).
      db_kind=sqlite; db_path="${url#sqlite://}"; db_path="${db_path#/}"; db_safe=$db_path ;;
    *) die "DATABASE_URL is neither PostgreSQL nor SQLite: $(redact "$url")" ;;
  esac
}
