CREATE TABLE items (
  id int NOT NULL AUTO_INCREMENT,
  name varchar(50) DEFAULT NULL,
  qty int DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO items (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3);
