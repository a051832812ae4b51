package restore

import (
	"errors"

	"github.com/go-sql-driver/mysql"
)

func isErr(err error, codes ...uint16) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	for _, c := range codes {
		if me.Number == c {
			return true
		}
	}
	return false
}
