package mysqlkit

import (
	"fmt"
	"math"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"t": "`t`", "a`b": "`a``b`", "": "``", "``": "``````"} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Qualified("db`x", "t"); got != "`db``x`.`t`" {
		t.Errorf("Qualified = %s", got)
	}
}

func TestIsAndCode(t *testing.T) {
	dup := fmt.Errorf("apply: %w", &mysql.MySQLError{Number: ErrTableExists, Message: "Table 't' already exists"})
	if !Is(dup, ErrDupKeyName, ErrTableExists) || Is(dup, ErrNoSuchTable) || !Is(dup) {
		t.Error("Is on a wrapped server error")
	}
	plain := fmt.Errorf("not a server error")
	if Is(plain) || Is(plain, ErrTableExists) || Code(plain) != 0 || Code(nil) != 0 {
		t.Error("Is/Code on a non-server error")
	}
	if Code(dup) != 1050 {
		t.Errorf("Code = %d", Code(dup))
	}
	for n := range AlreadyExists {
		if _, both := MissingObject[n]; both {
			t.Errorf("%d is in both AlreadyExists and MissingObject", n)
		}
	}
}

func TestFormatters(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Bytes(0), "0 B"}, {Bytes(1023), "1023 B"}, {Bytes(1536), "1.5 KiB"}, {Bytes(3 << 20), "3.0 MiB"},
		{Bytes(-3 << 30), "-3.0 GiB"}, {Bytes(5 << 40), "5.0 TiB"},
		{BytesShort(512), "512 B"}, {BytesShort(128 << 20), "128 MiB"}, {BytesShort(3 << 29), "1.5 GiB"},
		{BytesSI(1_234_000_000), "1.2 GB"}, {BytesSI(340_000_000), "340 MB"}, {BytesSI(12_345), "12 kB"},
		{Thousands(0), "0"}, {Thousands(999), "999"}, {Thousands(1000), "1,000"}, {Thousands(4200000), "4,200,000"},
		{Thousands(-123456), "-123,456"}, {Thousands(math.MinInt64), "-9,223,372,036,854,775,808"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
