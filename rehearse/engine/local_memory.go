package engine

import (
	"syscall"
)

// memoryDirPath is the memory file system sandboxes started with
// Options.Memory use; a var so tests can point it elsewhere.
var memoryDirPath = "/dev/shm"

// memoryMinFree is the free space MemoryDir requires: a schema-only
// sandbox's datadir (sparse template copy) takes 100-200 MB.
const memoryMinFree = 1 << 30

const tmpfsMagic = 0x01021994

// MemoryDir returns a writable memory-backed folder (tmpfs) with at least
// 1 GiB free for sandboxes started with Options.Memory, or "" when this
// machine has none. Files there take RAM: only for sandboxes without data.
func MemoryDir() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(memoryDirPath, &st); err != nil || st.Type != tmpfsMagic {
		return ""
	}
	if st.Bavail*uint64(st.Bsize) < memoryMinFree {
		return ""
	}
	if syscall.Access(memoryDirPath, 2 /* W_OK */) != nil {
		return ""
	}
	return memoryDirPath
}
