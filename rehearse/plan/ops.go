package plan

// Operation classes (Op.Class). The predictor and the rules key on them.
const (
	OpAddColumn       = "add-column"
	OpAddAutoInc      = "add-auto-increment-column"
	OpAddStoredGen    = "add-stored-generated-column"
	OpAddVirtualGen   = "add-virtual-generated-column"
	OpDropColumn      = "drop-column"
	OpRenameColumn    = "rename-column"
	OpChangeType      = "change-column-type"
	OpExtendVarchar   = "extend-varchar"
	OpExtendVarchar2  = "extend-varchar-length-bytes" // crosses 255 bytes: the length prefix grows
	OpNarrowType      = "narrow-column-type"
	OpEnumAppend      = "enum-append"
	OpEnumRemove      = "enum-remove"
	OpMakeNotNull     = "make-not-null"
	OpMakeNullable    = "make-nullable"
	OpChangeDefault   = "change-default"
	OpReorderColumn   = "reorder-column"
	OpColumnCharset   = "change-column-charset" // to a character set whose bytes differ (a conversion)
	OpModifySame      = "modify-column-unchanged"
	OpAddIndex        = "add-index"
	OpAddUnique       = "add-unique-index"
	OpAddFulltext     = "add-fulltext-index"
	OpAddSpatial      = "add-spatial-index"
	OpAddPrimaryKey   = "add-primary-key"
	OpDropPrimaryKey  = "drop-primary-key"
	OpDropIndex       = "drop-index"
	OpRenameIndex     = "rename-index"
	OpIndexVisibility = "index-visibility"
	OpAddForeignKey   = "add-foreign-key"
	OpAddForeignKeyNC = "add-foreign-key-unchecked" // with foreign_key_checks=0 in the session
	OpDropForeignKey  = "drop-foreign-key"
	OpAddCheck        = "add-check"
	OpDropCheck       = "drop-check"
	OpRebuild         = "rebuild-table" // FORCE, ENGINE=InnoDB, ROW_FORMAT, KEY_BLOCK_SIZE
	OpConvertCharset  = "convert-charset"
	OpDefaultCharset  = "default-charset"
	OpTableComment    = "table-comment"
	OpAutoIncValue    = "auto-increment-value"
	OpRenameTable     = "rename-table"
	OpPartition       = "partitioning"          // PARTITION BY, REMOVE PARTITIONING
	OpPartitionManage = "partition-maintenance" // ADD/DROP/TRUNCATE/COALESCE/REORGANIZE/... PARTITION
	OpTableOption     = "table-option"
	OpAlterOther      = "alter-other"
	OpCreateTable     = "create-table"
	OpDropTable       = "drop-table"
	OpTruncate        = "truncate-table"
	OpCreateView      = "create-view"
	OpDropView        = "drop-view"
	OpCreateRoutine   = "create-routine"
	OpDropRoutine     = "drop-routine"
	OpCreateTrigger   = "create-trigger"
	OpDropTrigger     = "drop-trigger"
	OpInsert          = "insert"
	OpUpdate          = "update"
	OpDelete          = "delete"
	OpSelect          = "select"
	OpSession         = "session" // SET, PREPARE, EXECUTE, DEALLOCATE, USE
	OpCall            = "call"
	OpOther           = "other"
)

// Collation changes that keep the bytes: the column's collation, or its
// character set from utf8mb3 to utf8mb4 (a superset with the same encoding).
const (
	// OpChangeCollation: no index on the column has to be re-sorted.
	OpChangeCollation = "change-column-collation"
	// OpChangeCollationIndexed: an index on the column sorts differently
	// under the new collation and is rebuilt.
	OpChangeCollationIndexed = "change-indexed-column-collation"
	// OpChangeEnumCollation: of an ENUM or SET column.
	OpChangeEnumCollation = "change-enum-collation"
)

// destructive ops lose data (RH103); incompatible ones break the previous
// app version (RH104).
var (
	destructiveOps  = map[string]bool{OpDropColumn: true, OpDropTable: true, OpTruncate: true}
	incompatibleOps = map[string]bool{OpDropColumn: true, OpDropTable: true, OpRenameColumn: true,
		OpRenameTable: true, OpEnumRemove: true}
)

// IsDestructive reports ops that lose data whatever the values: drops and
// TRUNCATE. A change that narrows a column loses only what does not fit:
// Op.Narrowing says so (nil for widenings, e.g. latin1 to utf8mb4).
func IsDestructive(class string) bool { return destructiveOps[class] }

// IsIncompatible reports ops the previous application version cannot live with.
func IsIncompatible(class string) bool { return incompatibleOps[class] }

// IsDDL reports schema-changing ops.
func IsDDL(class string) bool {
	switch class {
	case OpInsert, OpUpdate, OpDelete, OpSelect, OpSession, OpCall, OpOther:
		return false
	}
	return true
}

// IsDML reports data-changing ops.
func IsDML(class string) bool {
	return class == OpInsert || class == OpUpdate || class == OpDelete
}
