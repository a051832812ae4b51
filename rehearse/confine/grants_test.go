package confine

import (
	"strings"
	"testing"
)

func TestUnconfinedGrants(t *testing.T) {
	confined := []string{
		"GRANT USAGE ON *.* TO `rehearse`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'",
		"GRANT ALL PRIVILEGES ON `rehearse\\_%`.* TO `rehearse`@`%`",
		"GRANT ALL PRIVILEGES ON `rehearse\\_ci`.* TO `rehearse`@`%` WITH GRANT OPTION",
		"GRANT SELECT, INSERT, CREATE, DROP, ALTER ON `rehearse\\_abc`.* TO 'rehearse'@'%'",
		"GRANT REPLICATION CLIENT ON *.* TO `rehearse`@`%`",
		"GRANT SLAVE MONITOR ON *.* TO `rehearse`@`%`",
		"GRANT SELECT, UPDATE ON `performance_schema`.`setup_instruments` TO `rehearse`@`%`",
		"GRANT SELECT, SHOW VIEW ON `app`.* TO `rehearse`@`%`",
		"GRANT SELECT (`id`, `name`) ON `app`.`accounts` TO `rehearse`@`%`",
		"GRANT EXECUTE ON PROCEDURE `rehearse\\_x`.`p` TO `rehearse`@`%`",
		"REVOKE INSERT ON `mysql`.* FROM `rehearse`@`%`",
		"SET DEFAULT ROLE NONE FOR `rehearse`@`%`",
	}
	if bad := unconfinedGrants(confined); len(bad) > 0 {
		t.Errorf("confined grants reported: %v", bad)
	}
	for line, want := range map[string]string{
		"GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION":                    "ALL PRIVILEGES ON *.*",
		"GRANT SELECT, INSERT ON *.* TO `u`@`%`":                                                 "SELECT, INSERT ON *.*",
		"GRANT ALL PRIVILEGES ON `rehearse_%`.* TO `u`@`%`":                                      "ALL PRIVILEGES ON `rehearse_%`.*",   // _ matches any character: rehearsed, rehearseX...
		"GRANT ALL PRIVILEGES ON `rehearse_abc`.* TO `u`@`%`":                                    "ALL PRIVILEGES ON `rehearse_abc`.*", // rehearseXabc too
		"GRANT ALL PRIVILEGES ON `rehearse%`.* TO `u`@`%`":                                       "ALL PRIVILEGES ON `rehearse%`.*",
		"GRANT ALL PRIVILEGES ON `%`.* TO `u`@`%`":                                               "ALL PRIVILEGES ON `%`.*",
		"GRANT UPDATE (`balance`) ON `app`.`accounts` TO `u`@`%`":                                "UPDATE (`balance`) ON `app`.`accounts`",
		"GRANT EXECUTE ON PROCEDURE `app`.`wipe` TO `u`@`%`":                                     "EXECUTE ON PROCEDURE `app`.`wipe`",
		"GRANT LOCK TABLES ON `app`.* TO `u`@`%`":                                                "LOCK TABLES ON `app`.*",
		"GRANT `admin`@`%` TO `u`@`%`":                                                           "GRANT `admin`@`%`",
		"GRANT `dba` TO `u`@`%`":                                                                 "GRANT `dba`",
		"GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION":                          "GRANT PROXY ON ''@'%'",
		"GRANT SYSTEM_VARIABLES_ADMIN,BACKUP_ADMIN ON *.* TO `u`@`%`":                            "SYSTEM_VARIABLES_ADMIN,BACKUP_ADMIN ON *.*",
		"GRANT CREATE USER ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF01234567'": "CREATE USER ON *.*",
	} {
		bad := unconfinedGrants([]string{line})
		if len(bad) != 1 || bad[0] != want && "GRANT "+bad[0] != want {
			t.Errorf("%s: reported %q, want %q", line, bad, want)
		}
		for _, b := range bad {
			if strings.Contains(b, "PASSWORD") || strings.Contains(b, " TO ") {
				t.Errorf("%s: the report shows the account or its password: %q", line, b)
			}
		}
	}
}
