package datagen

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/rehearse/rehearse/rehearse"
)

// ErrDiskFull is wrapped when the server ran out of space during the load.
var ErrDiskFull = errors.New("the server ran out of disk space")

// Server errors that mean "no space": ER_RECORD_FILE_FULL (1114),
// ER_DISK_FULL (1021), ER_ERROR_ON_WRITE (3), ER_GET_ERRNO (1030) and
// temp-file errors when the OS said ENOSPC (errno 28).
var diskFullCodes = []uint16{1114, 1021, 3, 1030, 1026, 1041}

func isDiskFull(err error) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	for _, c := range diskFullCodes {
		if me.Number == c {
			if c == 1114 || c == 1021 {
				return true
			}
			m := strings.ToLower(me.Message)
			return strings.Contains(m, "errno: 28") || strings.Contains(m, "no space") || strings.Contains(m, "(errno: 28")
		}
	}
	return false
}

// classify turns a load error into one a user can act on.
func classify(err error, table string, rows int64) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case isDiskFull(err):
		return rehearse.WithHint(fmt.Errorf("%w while loading %s after about %d rows: %v", ErrDiskFull, table, rows, err),
			"free space where the server keeps its data (or give the sandbox a bigger disk), or lower --scale; the partly loaded tables were emptied")
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && (me.Number == 1148 || me.Number == 3948 || me.Number == 2068) {
		return rehearse.WithHint(fmt.Errorf("load %s: the server refused LOAD DATA LOCAL: %w", table, err),
			"turn on local_infile on the server (SET GLOBAL local_infile=1) or use --insert")
	}
	return fmt.Errorf("load %s: %w", table, err)
}
