package scope

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// found is what a walk over a syntax tree collected.
type found struct {
	quals    []reflect.Value // settable Schema/DBName fields (ast.CIStr or string)
	stmts    []ast.StmtNode
	options  []*ast.TableOption
	intos    []*ast.SelectIntoOption
	prepares []*ast.PrepareStmt
	assigns  []*ast.VariableAssignment // SET @user_var = ...
	tables   []*ast.TableName
	funcs    []*ast.FuncCallExpr
}

var ciStrType = reflect.TypeOf(ast.CIStr{})

// collect walks every exported field of the tree by reflection, so that no
// node type is missed because a visitor does not descend into it.
func collect(roots ...ast.Node) *found {
	f := &found{}
	seen := map[uintptr]bool{}
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if v.CanInterface() {
				f.node(v.Interface())
			}
			visit(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				visit(v.Elem())
			}
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < v.NumField(); i++ {
				ft := t.Field(i)
				if !ft.IsExported() {
					continue
				}
				fv := v.Field(i)
				if (ft.Name == "Schema" || ft.Name == "DBName") && (ft.Type == ciStrType || ft.Type.Kind() == reflect.String) {
					f.quals = append(f.quals, fv)
					continue
				}
				visit(fv)
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i))
			}
		}
	}
	for _, r := range roots {
		visit(reflect.ValueOf(r))
	}
	return f
}

func (f *found) node(x any) {
	switch n := x.(type) {
	case *ast.TableOption:
		f.options = append(f.options, n)
	case *ast.SelectIntoOption:
		f.intos = append(f.intos, n)
	case *ast.TableName:
		f.tables = append(f.tables, n)
	case *ast.FuncCallExpr:
		f.funcs = append(f.funcs, n)
	case *ast.VariableAssignment:
		if !n.IsSystem {
			f.assigns = append(f.assigns, n)
		}
	}
	if s, ok := x.(ast.StmtNode); ok {
		f.stmts = append(f.stmts, s)
		if p, ok := s.(*ast.PrepareStmt); ok {
			f.prepares = append(f.prepares, p)
		}
	}
}

func qualName(v reflect.Value) string {
	if v.Type() == ciStrType {
		return v.Interface().(ast.CIStr).O
	}
	return v.String()
}

func setQual(v reflect.Value, name string) {
	if v.Type() == ciStrType {
		v.Set(reflect.ValueOf(ast.NewCIStr(name)))
		return
	}
	v.SetString(name)
}

// parsed checks statements the parser read.
func (c *checker) parsed(text string, toks []token, stmts []ast.StmtNode, vars map[string]*userVar) ([]edit, error) {
	roots := make([]ast.Node, len(stmts))
	for i, s := range stmts {
		roots[i] = s
	}
	f := collect(roots...)
	var edits []edit
	for _, s := range f.stmts {
		e, err := c.kind(s, toks)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e...)
	}
	for _, o := range f.options {
		if err := tableOption(o); err != nil {
			return nil, err
		}
	}
	for _, in := range f.intos {
		if in.Tp != ast.SelectIntoVars {
			return nil, refusef("SELECT ... INTO OUTFILE/DUMPFILE writes a file on the server")
		}
	}
	for _, fn := range f.funcs {
		if fn.FnName.L == "load_file" {
			return nil, refusef("LOAD_FILE() reads a file on the server")
		}
	}
	// Dynamic SQL: what a PREPARE runs must be checked too.
	if vars == nil {
		vars = map[string]*userVar{}
	}
	local := c.varsOf([]*found{f})
	for k, v := range local {
		if _, ok := vars[k]; !ok {
			vars[k] = v
		}
	}
	for _, p := range f.prepares {
		e, err := c.prepare(p, toks, vars)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e...)
	}
	for _, a := range f.assigns {
		uv := vars[strings.ToLower(a.Name)]
		if uv == nil || !uv.prepared {
			continue
		}
		for from, to := range uv.rewrites {
			e, err := stringEdits(toks, from, to)
			if err != nil {
				return nil, err
			}
			edits = append(edits, e...)
		}
	}
	// Database names: the scratch database, or a snapshot database to
	// rewrite; anything else is refused.
	rewrite := false
	for _, q := range f.quals {
		name := qualName(q)
		if name == "" {
			continue
		}
		switch c.database(name) {
		case "":
			return nil, otherDatabase(name)
		case "rewrite":
			rewrite = true
		}
	}
	var cands []int
	for _, i := range heads(toks) {
		if c.database(toks[i].Val) == "rewrite" {
			cands = append(cands, i)
		}
	}
	if !rewrite && len(cands) == 0 {
		return edits, nil
	}
	// The tree as it must be after the rewrite ...
	for _, q := range f.quals {
		if name := qualName(q); name != "" && c.database(name) == "rewrite" {
			setQual(q, c.s.Scratch)
		}
	}
	for _, s := range f.stmts {
		if a, ok := s.(*ast.AlterDatabaseStmt); ok && c.database(a.Name.O) == "rewrite" {
			a.Name = ast.NewCIStr(c.s.Scratch)
		}
	}
	want, err := restore(stmts)
	if err != nil {
		return nil, refusef("it cannot be rewritten: %v", err)
	}
	// ... and the token substitution whose parse gives exactly that tree.
	base := edits
	try := func(mask uint) ([]edit, bool) {
		e := append([]edit(nil), base...)
		for k, i := range cands {
			if mask&(1<<k) != 0 {
				e = append(e, edit{toks[i].Start, toks[i].End, mysqlkit.Quote(c.s.Scratch)})
			}
		}
		got, _, err := c.parse(apply(text, e))
		if err != nil {
			return nil, false
		}
		r, err := restore(got)
		return e, err == nil && r == want
	}
	if e, ok := try(1<<len(cands) - 1); ok {
		return e, nil
	}
	if len(cands) <= 10 {
		for mask := uint(1<<len(cands)) - 2; mask != ^uint(0); mask-- {
			if e, ok := try(mask); ok {
				return e, nil
			}
		}
	}
	return nil, refusef("its names of the snapshot's database cannot be rewritten to the scratch database exactly (is a table or alias named like the database?)")
}

// restore prints statements as the parser understood them: two texts with
// the same print have the same syntax tree.
func restore(stmts []ast.StmtNode) (string, error) {
	var b strings.Builder
	for _, s := range stmts {
		if err := s.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &b)); err != nil {
			return "", err
		}
		b.WriteString(";\n")
	}
	return b.String(), nil
}

// kind refuses the statements that reach outside one database whatever
// they name, and returns the edit of ALTER DATABASE app.
func (c *checker) kind(s ast.StmtNode, toks []token) ([]edit, error) {
	switch n := s.(type) {
	case *ast.CreateTableStmt, *ast.AlterTableStmt, *ast.DropTableStmt, *ast.RenameTableStmt, *ast.TruncateTableStmt,
		*ast.CreateIndexStmt, *ast.DropIndexStmt, *ast.CreateViewStmt, *ast.ProcedureInfo, *ast.DropProcedureStmt,
		*ast.CreateSequenceStmt, *ast.AlterSequenceStmt, *ast.DropSequenceStmt,
		*ast.InsertStmt, *ast.UpdateStmt, *ast.DeleteStmt, *ast.SelectStmt, *ast.SetOprStmt,
		*ast.PrepareStmt, *ast.ExecuteStmt, *ast.DeallocateStmt, *ast.DoStmt, *ast.CallStmt,
		*ast.AnalyzeTableStmt, *ast.OptimizeTableStmt, *ast.LockTablesStmt, *ast.UnlockTablesStmt,
		*ast.BeginStmt, *ast.CommitStmt, *ast.RollbackStmt, *ast.SavepointStmt, *ast.ReleaseSavepointStmt,
		*ast.ShowStmt, *ast.ExplainStmt,
		*ast.SimpleCaseStmt, *ast.SearchCaseStmt, *ast.SimpleWhenThenStmt, *ast.SearchWhenThenStmt,
		*ast.ProcedureRepeatStmt, *ast.ProcedureWhileStmt:
		return nil, nil
	case *ast.SetStmt:
		for _, v := range n.Variables {
			if v.IsSystem && (v.IsGlobal || v.IsInstance) {
				return nil, refusef("SET GLOBAL %s changes the whole server", v.Name)
			}
		}
		return nil, nil
	case *ast.LoadDataStmt:
		if n.FileLocRef != ast.FileLocClient {
			return nil, refusef("LOAD DATA INFILE without LOCAL reads a file on the server")
		}
		return nil, nil
	case *ast.AlterDatabaseStmt:
		if n.AlterDefaultDatabase {
			return nil, nil
		}
		switch c.database(n.Name.O) {
		case "scratch":
			return nil, nil
		case "rewrite":
			for i := 0; i+2 < len(toks); i++ {
				if toks[i].Word("ALTER") && (toks[i+1].Word("DATABASE") || toks[i+1].Word("SCHEMA")) && toks[i+2].Ident() {
					return []edit{{toks[i+2].Start, toks[i+2].End, mysqlkit.Quote(c.s.Scratch)}}, nil
				}
			}
		}
		return nil, refusef("ALTER DATABASE %s changes a database other than the scratch database", mysqlkit.Quote(n.Name.O))
	case *ast.UseStmt:
		return nil, refusef("USE switches to another database; the dsn engine runs every statement in its scratch database")
	case *ast.CreateDatabaseStmt, *ast.DropDatabaseStmt:
		return nil, refusef("it creates or drops a database; the dsn engine works only in its scratch database")
	case *ast.GrantStmt, *ast.GrantRoleStmt, *ast.GrantProxyStmt, *ast.RevokeStmt, *ast.RevokeRoleStmt,
		*ast.CreateUserStmt, *ast.AlterUserStmt, *ast.DropUserStmt, *ast.RenameUserStmt, *ast.SetPwdStmt,
		*ast.SetDefaultRoleStmt:
		return nil, refusef("it changes accounts or privileges, which belong to the whole server")
	case *ast.KillStmt, *ast.FlushStmt, *ast.ShutdownStmt, *ast.RestartStmt, *ast.AlterInstanceStmt, *ast.BinlogStmt:
		return nil, refusef("it acts on the whole server")
	}
	if strings.HasPrefix(fmt.Sprintf("%T", s), "*ast.Procedure") {
		return nil, nil // the control flow of a stored procedure's body
	}
	return nil, refusef("rehearse does not confine this kind of statement (%s) on the dsn engine", strings.TrimPrefix(fmt.Sprintf("%T", s), "*ast."))
}

// tableOption refuses table options that store a table outside the
// server's data directory or on another server.
func tableOption(o *ast.TableOption) error {
	switch o.Tp {
	case ast.TableOptionDataDirectory, ast.TableOptionIndexDirectory:
		return refusef("DATA/INDEX DIRECTORY puts files outside the server's data directory")
	case ast.TableOptionConnection:
		return refusef("CONNECTION makes the table another server's")
	case ast.TableOptionUnion:
		return refusef("UNION= (a MERGE table) reads and writes other tables the check cannot follow")
	case ast.TableOptionEngine:
		return remoteEngine(o.StrValue)
	}
	return nil
}

func remoteEngine(name string) error {
	switch strings.ToUpper(strings.Trim(name, "`'\"")) {
	case "FEDERATED", "FEDERATEDX", "CONNECT", "SPIDER", "MRG_MYISAM", "MERGE", "S3", "OQGRAPH":
		return refusef("ENGINE=%s stores the table on another server or in other tables", name)
	}
	return nil
}
