package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/go-sql-driver/mysql"
)

// Class is the outcome class of one operation. Classes are decided by MySQL
// error number, never by message text.
type Class uint8

const (
	OK             Class = iota
	LockWait             // 1205 ER_LOCK_WAIT_TIMEOUT (row lock or metadata lock)
	Deadlock             // 1213 ER_LOCK_DEADLOCK
	SchemaMismatch       // the statement no longer fits the schema: 1054, 1364, 1265, 1366, 1048, 1146
	ConnectionLost       // 2006, 2013, driver.ErrBadConn, mysql.ErrInvalidConn, a network error
	Other                // any other error (1062 duplicate key, 1452 foreign key, ...)
	Canceled             // still running when the generator stopped; latency counts up to the stop
	numClasses
)

var classNames = [numClasses]string{"ok", "lock_wait_timeout", "deadlock", "schema_mismatch", "connection", "other", "canceled"}

// String is the class name used in reports: ok, lock_wait_timeout,
// deadlock, schema_mismatch, connection, other, canceled.
func (c Class) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return "unknown"
}

// Error classes by MySQL error number.
var (
	schemaMismatchCodes = []uint16{
		1054, // ER_BAD_FIELD_ERROR: unknown column
		1364, // ER_NO_DEFAULT_FOR_FIELD: NOT NULL column without default not given
		1265, // WARN_DATA_TRUNCATED (strict): value no longer fits (ENUM changed, shorter type)
		1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: incorrect value for the new type
		1048, // ER_BAD_NULL_ERROR: column cannot be null
		1146, // ER_NO_SUCH_TABLE
	}
	connectionLostCodes = []uint16{
		2006, // CR_SERVER_GONE_ERROR
		2013, // CR_SERVER_LOST
		1927, // ER_CONNECTION_KILLED (MariaDB)
		1317, // ER_QUERY_INTERRUPTED
		4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
	}
)

// errorCode is the server's error number of err, 0 when it has none.
func errorCode(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// Classify maps an operation's error to its class. A nil error is OK; a
// context cancellation is Canceled.
func Classify(err error) Class {
	if err == nil {
		return OK
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1205:
			return LockWait
		case 1213:
			return Deadlock
		}
		for _, c := range schemaMismatchCodes {
			if me.Number == c {
				return SchemaMismatch
			}
		}
		for _, c := range connectionLostCodes {
			if me.Number == c {
				return ConnectionLost
			}
		}
		return Other
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Canceled
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ConnectionLost
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ConnectionLost
	}
	return Other
}
