package plan

// predictMySQL is the rule table for MySQL 8.0+ (InnoDB), from the "Online
// DDL Operations" page (see docs/ARCHITECTURE.md and reference ONLINE-DDL.md)
// and corrected where MySQL 9.7 answered otherwise (TestFixtureAgreement,
// testdata/alter-fixtures). A rebuild of a table with a FULLTEXT index is
// adjusted in predict (InnoDB copies it).
func predictMySQL(s server, op Op, t tableFacts) (Algo, bool) {
	fts := t.fts
	instantCols := s.atLeast(8, 0, 29) // ADD at any position, DROP
	switch op.Class {
	case OpAddColumn:
		switch {
		case fts:
			return inplace(s, LockNone, true, "ADD COLUMN on a table with a FULLTEXT index cannot be INSTANT: rebuild"), true
		case s.atLeast(8, 0, 12):
			return instant("ADD COLUMN is INSTANT since 8.0.12 (any position since 8.0.29)"), true
		}
		return inplace(s, LockNone, true, "ADD COLUMN before 8.0.12 rebuilds in place"), true
	case OpAddVirtualGen:
		return instant("ADD VIRTUAL column is INSTANT"), true
	case OpAddStoredGen:
		return tableCopy(s, "ADD STORED generated column is a table copy"), true
	case OpAddAutoInc:
		return inplace(s, LockShared, true, "ADD AUTO_INCREMENT column rebuilds and blocks writes"), true
	case OpDropColumn:
		if op.Indexed {
			return inplace(s, LockNone, true, "DROP COLUMN of an indexed column changes its indexes: rebuild in place"), true
		}
		if instantCols && !fts {
			return instant("DROP COLUMN is INSTANT since 8.0.29"), true
		}
		return inplace(s, LockNone, true, "DROP COLUMN rebuilds in place"), true
	case OpRenameColumn:
		if s.atLeast(8, 0, 28) {
			return instant("RENAME COLUMN is INSTANT since 8.0.28"), true
		}
		return inplace(s, LockNone, false, "RENAME COLUMN is in place, metadata only"), true
	case OpChangeType, OpNarrowType, OpEnumRemove:
		return tableCopy(s, "changing a column's data type (or DECIMAL precision/scale, fractional seconds, BIT or CHAR length) is a table copy that blocks writes"), true
	case OpExtendVarchar2:
		return tableCopy(s, "a VARCHAR whose length prefix grows past 255 bytes is a table copy that blocks writes"), true
	case OpColumnCharset:
		return tableCopy(s, "converting a column to another character set is a table copy that blocks writes"), true
	case OpChangeCollation:
		if op.Indexed {
			return tableCopy(s, "changing the collation or character set of an indexed column is a table copy that blocks writes"), true
		}
		return inplace(s, LockNone, false, "changing the collation of a column without an index, or utf8mb3 to utf8mb4, is in place, metadata only"), true
	case OpChangeCollationIndexed:
		return tableCopy(s, "changing the collation of an indexed column is a table copy that blocks writes"), true
	case OpChangeEnumCollation:
		return instant("the collation of an ENUM/SET column is metadata only"), true
	case OpExtendVarchar:
		return inplace(s, LockNone, false, "extending a VARCHAR within the same length-byte size is in place, metadata only"), true
	case OpEnumAppend:
		return instant("appending ENUM/SET values is INSTANT"), true
	case OpMakeNotNull, OpMakeNullable:
		return inplace(s, LockNone, true, "changing NULL/NOT NULL rebuilds in place"), true
	case OpChangeDefault:
		return instant("setting a column default is INSTANT"), true
	case OpModifySame:
		return instant("a MODIFY that keeps the stored type (default, comment, display width) is INSTANT"), true
	case OpReorderColumn:
		return inplace(s, LockNone, true, "reordering columns rebuilds in place"), true
	case OpAddIndex, OpAddUnique:
		return inplace(s, LockNone, false, "adding a secondary index is in place and permits writes"), true
	case OpAddFulltext:
		return inplace(s, LockShared, !fts, "adding a FULLTEXT index blocks writes (the first one rebuilds)"), true
	case OpAddSpatial:
		return inplace(s, LockShared, false, "adding a SPATIAL index blocks writes"), true
	case OpAddPrimaryKey:
		return inplace(s, LockNone, true, "adding a primary key rebuilds in place"), true
	case OpDropPrimaryKey:
		return tableCopy(s, "dropping a primary key without adding one is a table copy"), true
	case OpDropIndex, OpRenameIndex:
		return inplace(s, LockNone, false, "dropping/renaming an index is in place, metadata only"), true
	case OpIndexVisibility:
		return instant("index visibility is metadata only"), true
	case OpAddForeignKey:
		return tableCopy(s, "adding a foreign key with foreign_key_checks=1 is a table copy"), true
	case OpAddForeignKeyNC:
		return inplace(s, LockNone, false, "adding a foreign key with foreign_key_checks=0 is in place, metadata only"), true
	case OpDropForeignKey:
		return inplace(s, LockNone, false, "dropping a foreign key is in place"), true
	case OpAddCheck:
		return tableCopy(s, "adding a CHECK constraint copies the table to validate it"), true
	case OpDropCheck:
		return instant("dropping a CHECK constraint is metadata only"), true
	case OpRebuild:
		return inplace(s, LockNone, true, "FORCE/ENGINE/ROW_FORMAT/KEY_BLOCK_SIZE rebuild in place"), true
	case OpConvertCharset:
		return tableCopy(s, "CONVERT TO CHARACTER SET is a table copy"), true
	case OpDefaultCharset, OpTableComment:
		return inplace(s, LockNone, false, "the table's default character set and comment are changed in place, metadata only"), true
	case OpAutoIncValue:
		return inplace(s, LockNone, false, "changing the AUTO_INCREMENT value is in place"), true
	case OpRenameTable:
		return instant("RENAME is metadata only"), true
	case OpPartitionManage:
		return inplace(s, LockNone, false, "partition maintenance (ADD/DROP PARTITION of RANGE/LIST) is in place; HASH/KEY and REORGANIZE also move rows"), true
	case OpPartition:
		return tableCopy(s, "partitioning changes copy the table"), true
	case OpTableOption, OpAlterOther:
		return tableCopy(s, "not in the rule table: assumed a table copy"), true
	}
	return Algo{}, false
}
