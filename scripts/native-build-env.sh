# Sourced before `pnpm install`: the embedded store's SQLite driver (better-sqlite3) is a native
# addon compiled on install when no prebuilt binary can be downloaded. node-gyp then downloads
# Node's headers, unless it is pointed at the ones installed beside this Node (Debian's and the
# official tarballs ship them in <prefix>/include/node), which also works without a network.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/common.gypi" ]; then
  export npm_config_nodedir="$node_prefix"
fi
# Both cores for the compile.
export JOBS="${JOBS:-max}"
