package migrations

// DeclarativeFormat is the format of the one migration a declarative target
// (--target-schema, package rehearse/declarative) is turned into: the
// differ's statements, no file of its own, no history table.
const DeclarativeFormat = "declarative"

type declarative struct{}

func init() {
	Register(declarative{})
	hidden[DeclarativeFormat] = true
}

func (declarative) Name() string     { return DeclarativeFormat }
func (declarative) Recursive() bool  { return false }
func (declarative) Claim(File) Claim { return NoClaim }

func (declarative) Parse(f File) ([]Migration, []Problem) {
	return nil, []Problem{{Code: "bad-name", Severity: Error, File: f.Path,
		Message: "a declarative target is read with --target-schema, not --migrations"}}
}

func (declarative) Less(a, b *Migration) bool { return a.Key < b.Key }

func (declarative) HistoryKey(version, _ string) string { return version }

func (declarative) History() History { return History{None: true} }
