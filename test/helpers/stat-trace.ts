// What fd 1 is, told by fstat, newfstatat and statx alone (no -y): a pipe, a file, a pipe. Each
// process then writes to it and exits, two with bytes unsent on the pipes (trace lines 4 and 11).
export const STAT_TRACE = `300 fstat(1, {st_mode=S_IFIFO|0600, st_size=0, ...}) = 0
300 write(1, "xxxx"..., 1000000) = 65536
300 write(1, "xxxx"..., 934464) = -1 EAGAIN (Resource temporarily unavailable)
300 exit_group(0) = ?
300 +++ exited with 0 +++
400 newfstatat(1, "", {st_mode=S_IFREG|0644, st_size=0, ...}, AT_EMPTY_PATH) = 0
400 write(1, "xxxx"..., 1000) = 10
400 +++ exited with 0 +++
500 statx(1, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFIFO|0600, stx_size=0, ...}) = 0
500 write(1, "xxxx"..., 1000) = 10
500 +++ exited with 0 +++`;
