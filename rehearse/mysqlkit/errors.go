package mysqlkit

import (
	"errors"

	"github.com/go-sql-driver/mysql"
)

// Server error numbers by name (MySQL's ER_* names; MariaDB shares them
// below 1900).
const (
	ErrDupKey                 = 1022 // ER_DUP_KEY: older servers' duplicate foreign key name
	ErrParse                  = 1064 // ER_PARSE_ERROR
	ErrDBCreateExists         = 1007 // ER_DB_CREATE_EXISTS
	ErrDBAccessDenied         = 1044 // ER_DBACCESS_DENIED_ERROR
	ErrAccessDenied           = 1045 // ER_ACCESS_DENIED_ERROR (credentials)
	ErrBadDB                  = 1049 // ER_BAD_DB_ERROR
	ErrTableExists            = 1050 // ER_TABLE_EXISTS_ERROR
	ErrBadTable               = 1051 // ER_BAD_TABLE_ERROR
	ErrBadField               = 1054 // ER_BAD_FIELD_ERROR
	ErrDupFieldName           = 1060 // ER_DUP_FIELDNAME
	ErrDupKeyName             = 1061 // ER_DUP_KEYNAME
	ErrMultiplePriKey         = 1068 // ER_MULTIPLE_PRI_KEY
	ErrKeyColumnDoesNotExist  = 1072 // ER_KEY_COLUMN_DOES_NOT_EXITS
	ErrCantDropFieldOrKey     = 1091 // ER_CANT_DROP_FIELD_OR_KEY
	ErrTableAccessDenied      = 1142 // ER_TABLEACCESS_DENIED_ERROR
	ErrColumnAccessDenied     = 1143 // ER_COLUMNACCESS_DENIED_ERROR
	ErrNoSuchTable            = 1146 // ER_NO_SUCH_TABLE
	ErrKeyDoesNotExist        = 1176 // ER_KEY_DOES_NOT_EXITS
	ErrUnknownSystemVariable  = 1193 // ER_UNKNOWN_SYSTEM_VARIABLE
	ErrLockWaitTimeout        = 1205 // ER_LOCK_WAIT_TIMEOUT
	ErrLockDeadlock           = 1213 // ER_LOCK_DEADLOCK
	ErrCannotAddForeign       = 1215 // ER_CANNOT_ADD_FOREIGN
	ErrSpecificAccessDenied   = 1227 // ER_SPECIFIC_ACCESS_DENIED_ERROR
	ErrGlobalVariable         = 1229 // ER_GLOBAL_VARIABLE
	ErrIncorrectGlobalLocal   = 1238 // ER_INCORRECT_GLOBAL_LOCAL_VAR (read-only variable)
	ErrSPAlreadyExists        = 1304 // ER_SP_ALREADY_EXISTS
	ErrSPDoesNotExist         = 1305 // ER_SP_DOES_NOT_EXIST
	ErrViewInvalid            = 1356 // ER_VIEW_INVALID
	ErrTrgAlreadyExists       = 1359 // ER_TRG_ALREADY_EXISTS
	ErrTrgDoesNotExist        = 1360 // ER_TRG_DOES_NOT_EXIST
	ErrProcAccessDenied       = 1370 // ER_PROCACCESS_DENIED_ERROR
	ErrEventAlreadyExists     = 1537 // ER_EVENT_ALREADY_EXISTS
	ErrVariableIsReadonly     = 1621 // ER_VARIABLE_IS_READONLY (session read-only)
	ErrAccessDeniedNoPass     = 1698 // ER_ACCESS_DENIED_NO_PASSWORD_ERROR (auth_socket)
	ErrFKNoIndexParent        = 1824 // ER_FK_CANNOT_OPEN_PARENT: referenced table missing
	ErrFKDupName              = 1826 // ER_FK_DUP_NAME
	ErrStatementTimeout       = 1969 // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
	ErrQueryTimeout           = 3024 // ER_QUERY_TIMEOUT (MySQL max_execution_time)
	ErrCheckConstraintDupName = 3822 // ER_CHECK_CONSTRAINT_DUP_NAME
)

// AlreadyExists are the errors of a statement whose object is already
// there: a pending migration's effect is in the schema already (applied
// outside its runner). Plan's replay and run's findings both read it.
var AlreadyExists = map[uint16]string{
	ErrDBCreateExists: "database exists", ErrTableExists: "table exists", ErrDupFieldName: "duplicate column",
	ErrDupKeyName: "duplicate index name", ErrMultiplePriKey: "multiple primary keys", ErrSPAlreadyExists: "routine exists",
	ErrTrgAlreadyExists: "trigger exists", ErrEventAlreadyExists: "event exists", ErrFKDupName: "duplicate foreign key name",
	ErrDupKey: "duplicate key name", ErrCheckConstraintDupName: "duplicate check constraint name",
}

// MissingObject are the errors of a statement that references what the
// schema lacks.
var MissingObject = map[uint16]string{
	ErrBadDB: "unknown database", ErrBadTable: "unknown table", ErrBadField: "unknown column",
	ErrKeyColumnDoesNotExist: "key column does not exist", ErrCantDropFieldOrKey: "cannot drop: does not exist",
	ErrNoSuchTable: "table does not exist", ErrKeyDoesNotExist: "key does not exist", ErrSPDoesNotExist: "routine does not exist",
	ErrTrgDoesNotExist: "trigger does not exist", ErrCannotAddForeign: "cannot add foreign key",
	ErrFKNoIndexParent: "referenced table missing", ErrViewInvalid: "view references invalid objects",
}

// Is reports whether err is (or wraps) a server error with one of the
// numbers; with none given, whether it is a server error at all.
func Is(err error, numbers ...uint16) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	for _, n := range numbers {
		if me.Number == n {
			return true
		}
	}
	return len(numbers) == 0
}

// Code is the server error number of err, or 0 when it is not a server
// error.
func Code(err error) int {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return int(me.Number)
	}
	return 0
}
