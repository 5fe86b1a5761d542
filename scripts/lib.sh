# Shared helpers for the project's shell scripts (sourced, not run).

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PKG...: installs the Debian packages that are missing, updating the
# package lists once per run and only when something is missing.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    info "present: $*"
    return 0
  fi
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} with this system's package manager"
  if [ -z "${UNBOXED_APT_UPDATED:-}" ]; then
    info "apt-get update"
    as_root apt-get update -q >/dev/null
    export UNBOXED_APT_UPDATED=1
  fi
  info "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
