package codes

// Plan: history drift and the replay on a schema-only sandbox (RH0xx).
const (
	HistoryWithoutFile = "RH001"
	Dirty              = "RH002"
	ChecksumChanged    = "RH003"
	OutOfOrder         = "RH004"
	AppliedOutside     = "RH005"
	MissingObject      = "RH006"
	ReplayFailed       = "RH007"
	NoSharedHistory    = "RH008"
	NoHistory          = "RH009"
	NotAnalysed        = "RH010"
	Disagreement       = "RH011"
	FirstAdoption      = "RH012"
	FolderIntegrity    = "RH013"
	DynamicSQL         = "RH014"
)

// Plan: lint rules (RH1xx, one file each in rehearse/plan/rules).
const (
	BlockingLargeTable = "RH101"
	UniqueLargeTable   = "RH102"
	Destructive        = "RH103"
	Incompatible       = "RH104"
	MultiDDL           = "RH105"
	DDLAndDML          = "RH106"
	NoDown             = "RH107"
	DownNotInverse     = "RH108"
	NoLockWaitTimeout  = "RH109"
	UniqueDuplicates   = "RH110"
	NarrowedValues     = "RH111"
	ConstraintViolated = "RH112"
)

// Rehearsal: what `rehearse run` measured (RUN2xx).
const (
	MigrationFailed     = "RUN201"
	LockWait            = "RUN202"
	CopyBlockedWriters  = "RUN203"
	AppliedOutsideRun   = "RUN204"
	PredictionWrong     = "RUN205"
	AlgorithmUnexpected = "RUN206"
	VerifyFailed        = "RUN207"
	RollbackDifferences = "RUN210"
	RollbackDataLost    = "RUN211"
	AppCompat           = "RUN220"
	ReplicaLag          = "RUN240"
	ReplicaQueued       = "RUN241"
	StaleReads          = "RUN242"
	ReplicaBehind       = "RUN243"
	BinlogFormatLag     = "RUN244"
	GaleraTOI           = "RUN245"
	GaleraFlowControl   = "RUN246"
	GaleraRSUDeadlock   = "RUN247"
)

// Capacity: predictions at production's size (CAP0xx).
const (
	CapDisk       = "CAP001"
	CapOnlineLog  = "CAP002"
	CapTimeout    = "CAP003"
	CapNoPredict  = "CAP004"
	CapFailedRun  = "CAP005"
	CapBufferPool = "CAP006"
	CapPrediction = "CAP007"
	CapReplicaLag = "CAP010"
)

// table is the registry: one line per code. A new code needs a line here
// and a page docs/rules/CODE.md (TestEveryCodeDocumented).
var table = []Code{
	{HistoryWithoutFile, Warning, "history entry without a migration file"},
	{Dirty, Error, "the last deploy failed half-way (dirty or failed history entry)"},
	{ChecksumChanged, Warning, "migration edited after it was applied"},
	{OutOfOrder, Warning, "pending migration older than the newest applied one"},
	{AppliedOutside, Error, "already applied outside the runner"},
	{MissingObject, Error, "references a table or column production does not have"},
	{ReplayFailed, Error, "fails on production's schema"},
	{NoSharedHistory, Error, "the snapshot and the folder share no history"},
	{NoHistory, Warning, "the snapshot has no history for this runner"},
	{NotAnalysed, Info, "statement not analysed"},
	{Disagreement, Info, "predicted and verified algorithm differ"},
	{FirstAdoption, Info, "the runner's first run on production: every migration is pending"},
	{FolderIntegrity, Error, "the folder fails its runner's integrity check (atlas.sum)"},
	{DynamicSQL, Info, "EXECUTE of a statement built at run time (dynamic SQL)"},

	{BlockingLargeTable, Error, "table rebuild or write-blocking lock on a large table"},
	{UniqueLargeTable, Warning, "unique index on a large table"},
	{Destructive, Warning, "destructive change"},
	{Incompatible, Warning, "change the previous app version cannot live with"},
	{MultiDDL, Warning, "several DDL statements in one migration"},
	{DDLAndDML, Warning, "DDL and DML mixed in one migration"},
	{NoDown, Warning, "missing or empty down migration"},
	{DownNotInverse, Warning, "down migration does not invert its up"},
	{NoLockWaitTimeout, Warning, "no lock_wait_timeout and production's default is one year"},
	{UniqueDuplicates, Error, "unique or primary key over values production holds twice"},
	{NarrowedValues, Error, "values production holds do not fit the narrowed column"},
	{ConstraintViolated, Error, "a foreign key or CHECK constraint production's rows violate"},

	{MigrationFailed, Error, "a migration failed half-way"},
	{LockWait, Warning, "a DDL statement waited for its metadata lock"},
	{CopyBlockedWriters, Warning, "a table copy blocked writers"},
	{AppliedOutsideRun, Error, "a pending migration was already applied outside the runner"},
	{PredictionWrong, Info, "the rule table's prediction differs from the server's answer"},
	{AlgorithmUnexpected, Warning, "the run used another algorithm than the server said it would"},
	{VerifyFailed, Error, "a verify script failed after its change deployed (Sqitch)"},
	{RollbackDifferences, Warning, "the down migration does not restore the schema"},
	{RollbackDataLost, Warning, "rolling back loses data"},
	{AppCompat, Warning, "the previous app version breaks on the new schema"},
	{ReplicaLag, Warning, "a statement left the replicas behind"},
	{ReplicaQueued, Warning, "replicated writes queued behind a statement on the replicas"},
	{StaleReads, Warning, "reads from the replicas missed rows the primary had written"},
	{ReplicaBehind, Warning, "a replica had not caught up when the rehearsal ended"},
	{BinlogFormatLag, Info, "how the binary log format replicates a data migration"},
	{GaleraTOI, Error, "a schema change under TOI stalled writers on every Galera node"},
	{GaleraFlowControl, Warning, "Galera flow control paused the cluster's replication"},
	{GaleraRSUDeadlock, Error, "under RSU the DDL waited for the node's own writes, which RSU holds"},

	{CapDisk, Error, "disk headroom for a copy, rebuild or index build"},
	{CapOnlineLog, Error, "the online-DDL log would overflow"},
	{CapTimeout, Error, "predicted duration longer than the deploy timeout"},
	{CapNoPredict, Info, "measurements without a prediction"},
	{CapFailedRun, Error, "the statement failed at a measured scale"},
	{CapBufferPool, Info, "the table outgrows the rehearsal's buffer pool beyond the measured scales"},
	{CapPrediction, Info, "the prediction at production's size"},
	{CapReplicaLag, Warning, "predicted replica lag at production's size over the max-replica-lag gate"},
}
