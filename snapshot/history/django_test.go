package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestDjango(t *testing.T) {
	sh := fixture(t, "django_migrations",
		"CREATE TABLE {db}.django_migrations (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime(6) NOT NULL)",
		"INSERT INTO {db}.django_migrations (app, name, applied) VALUES ('auth', '0001_initial', '2024-01-01 00:00:00'), ('shop', '0002_price', '2024-01-05 00:00:00')")
	check(t, sh, "django", []history.Entry{
		{Version: "auth.0001_initial", Name: "0001_initial", AppliedAt: at("2024-01-01 00:00:00")},
		{Version: "shop.0002_price", Name: "0002_price", AppliedAt: at("2024-01-05 00:00:00")},
	})
}
