-- migrate:up
CREATE TABLE reviews (
  id BIGINT NOT NULL AUTO_INCREMENT,
  product_id INT NOT NULL,
  body VARCHAR(200) NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY ix_reviews_product (product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- migrate:down
DROP TABLE reviews;
