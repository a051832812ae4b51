package redact

import "testing"

func TestRedactString(t *testing.T) {
	cases := map[string]string{
		"root:s3cr3t@tcp(127.0.0.1:3306)/app":           "root:*****@tcp(127.0.0.1:3306)/app",
		"dsn=app:pa:ss@unix(/run/mysqld.sock)/db":       "dsn=app:*****@unix(/run/mysqld.sock)/db",
		"mysql://admin:hunter2@db.example:3306/prod":    "mysql://admin:*****@db.example:3306/prod",
		"connect: user=app password=topsecret host=x":   "connect: user=app password=***** host=x",
		"MYSQL_PWD=abc123 mysql -uroot":                 "MYSQL_PWD=***** mysql -uroot",
		"mysql -uroot -pabc123 -h db":                   "mysql -uroot -p***** -h db",
		"CREATE USER 'r'@'%' IDENTIFIED BY 'x\\'y'":     "CREATE USER 'r'@'%' IDENTIFIED BY '*****'",
		"ALTER TABLE t ADD COLUMN c INT":                "ALTER TABLE t ADD COLUMN c INT",
		"12:30 ratio 3:1 at 10:00":                      "12:30 ratio 3:1 at 10:00",
		"SELECT a FROM t WHERE x = 'a:b@c'":             "SELECT a FROM t WHERE x = 'a:b@c'",
		"ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE":    "ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE",
		"--lock-wait-timeout 2s -p 3 --password=s3cr3t": "--lock-wait-timeout 2s -p 3 --password=*****",
	}
	for in, want := range cases {
		if got := String(in); got != want {
			t.Errorf("String(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
