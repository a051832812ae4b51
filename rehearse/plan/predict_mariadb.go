package plan

// predictMariaDB is the rule table for MariaDB 10.4+ (InnoDB) from the
// MariaDB InnoDB online DDL pages (INSTANT/NOCOPY/INPLACE/COPY), including
// 11.2's online COPY (LOCK=NONE), and corrected where MariaDB 10.11 and
// 11.8 answered otherwise (TestFixtureAgreement, testdata/alter-fixtures).
// A rebuild of a table with a FULLTEXT index is adjusted in predict.
func predictMariaDB(s server, op Op, t tableFacts) (Algo, bool) {
	switch op.Class {
	case OpExtendVarchar2:
		switch {
		case t.redundant:
			return instant("extending a VARCHAR is INSTANT in ROW_FORMAT=REDUNDANT"), true
		case op.oldBytes > 0 && op.oldBytes < 128:
			return instant("extending a VARCHAR of at most 127 bytes is INSTANT (stored lengths keep one byte)"), true
		}
		return tableCopy(s, "extending a VARCHAR of 128-255 bytes past 255 bytes changes the length prefix: table copy"), true
	case OpAddColumn, OpAddVirtualGen:
		if t.fts {
			return inplace(s, LockNone, true, "a table with a FULLTEXT index (hidden FTS_DOC_ID) cannot ADD COLUMN instantly: rebuild"), true
		}
		return instant("ADD COLUMN is INSTANT (10.4+, any position)"), true
	case OpAddStoredGen:
		return tableCopy(s, "ADD STORED generated column is a table copy"), true
	case OpAddAutoInc:
		return inplace(s, LockShared, true, "ADD AUTO_INCREMENT column rebuilds in place but not with LOCK=NONE"), true
	case OpDropColumn:
		switch {
		case t.fts:
			return inplace(s, LockNone, true, "a table with a FULLTEXT index cannot DROP COLUMN instantly: rebuild"), true
		case op.Indexed:
			return inplace(s, LockNone, false, "DROP COLUMN of an indexed column also drops or changes its indexes: NOCOPY"), true
		}
		return instant("DROP COLUMN is INSTANT (10.4+)"), true
	case OpMakeNullable:
		if t.redundant {
			return instant("making a column NULL is INSTANT in ROW_FORMAT=REDUNDANT"), true
		}
		return inplace(s, LockNone, true, "making a column NULL rebuilds in place (INSTANT only in ROW_FORMAT=REDUNDANT)"), true
	case OpRenameColumn, OpChangeDefault, OpModifySame, OpEnumAppend, OpExtendVarchar, OpReorderColumn:
		return instant("metadata-only column change is INSTANT (10.4+)"), true
	case OpChangeType, OpNarrowType, OpEnumRemove:
		return tableCopy(s, "changing a column's data type (or DECIMAL precision/scale, fractional seconds, BIT or CHAR length) is a table copy"), true
	case OpColumnCharset:
		return tableCopy(s, "converting a column to another character set is a table copy"), true
	case OpChangeCollation:
		return instant("changing a column's collation, or utf8mb3 to utf8mb4, is INSTANT when no index is re-sorted (10.4+)"), true
	case OpChangeCollationIndexed:
		switch {
		case op.inPrimary:
			return tableCopy(s, "changing the collation of a primary-key column is a table copy"), true
		case op.inFulltext:
			return inplace(s, LockShared, false, "changing the collation of a FULLTEXT-indexed column rebuilds that index: NOCOPY, writes blocked"), true
		case s.atLeast(10, 6, 0):
			return inplace(s, LockNone, false, "changing the collation of an indexed column rebuilds its indexes: NOCOPY (10.6+)"), true
		}
		return tableCopy(s, "before 10.6 changing the collation of an indexed column is a table copy (MDEV-26294)"), true
	case OpChangeEnumCollation:
		return tableCopy(s, "changing the collation of an ENUM/SET column is a table copy"), true
	case OpMakeNotNull:
		return inplace(s, LockNone, true, "making a column NOT NULL rebuilds in place"), true
	case OpAddIndex, OpAddUnique:
		return inplace(s, LockNone, false, "ADD INDEX is NOCOPY and permits writes"), true
	case OpAddFulltext:
		return inplace(s, LockShared, !t.fts, "a FULLTEXT index blocks writes (the first one rebuilds)"), true
	case OpAddSpatial:
		return inplace(s, LockShared, false, "a SPATIAL index blocks writes"), true
	case OpAddPrimaryKey:
		return inplace(s, LockNone, true, "ADD PRIMARY KEY rebuilds in place"), true
	case OpDropPrimaryKey:
		return tableCopy(s, "dropping a primary key without adding one is a table copy"), true
	case OpDropIndex:
		return inplace(s, LockNone, false, "DROP INDEX is NOCOPY"), true
	case OpRenameIndex, OpIndexVisibility, OpDropForeignKey, OpDropCheck, OpDefaultCharset, OpTableComment, OpAutoIncValue, OpRenameTable:
		return instant("metadata-only change is INSTANT"), true
	case OpAddForeignKey:
		return tableCopy(s, "ADD FOREIGN KEY with foreign_key_checks=ON is a table copy"), true
	case OpAddForeignKeyNC:
		return instant("ADD FOREIGN KEY with foreign_key_checks=OFF is INSTANT (nothing is validated)"), true
	case OpAddCheck:
		return tableCopy(s, "ADD CHECK copies the table to validate it"), true
	case OpRebuild:
		return inplace(s, LockNone, true, "FORCE/ENGINE/ROW_FORMAT rebuild in place"), true
	case OpConvertCharset, OpPartition:
		return tableCopy(s, "character-set conversion and partitioning copy the table"), true
	case OpPartitionManage:
		return Algo{Algorithm: InPlace, Lock: LockExclusive, Reason: "MariaDB runs partition maintenance outside ALGORITHM/LOCK (it takes no such clause) under an exclusive metadata lock; REORGANIZE/COALESCE also move the rows of the partitions involved"}, true
	case OpTableOption, OpAlterOther:
		return tableCopy(s, "not in the rule table: assumed a table copy"), true
	}
	return Algo{}, false
}
