--liquibase formatted sql

--changeset shop:1
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  note VARCHAR(200) DEFAULT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY ix_orders_customer (customer_id),
  KEY ix_orders_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
--rollback DROP TABLE orders;

--changeset shop:2
DROP TABLE orders;
--rollback CREATE TABLE orders (
--rollback   id BIGINT NOT NULL AUTO_INCREMENT,
--rollback   customer_id INT NOT NULL,
--rollback   status VARCHAR(16) NOT NULL,
--rollback   total DECIMAL(12,2) NOT NULL,
--rollback   note VARCHAR(200) DEFAULT NULL,
--rollback   created_at DATETIME NOT NULL,
--rollback   PRIMARY KEY (id),
--rollback   KEY ix_orders_customer (customer_id),
--rollback   KEY ix_orders_status (status)
--rollback ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
