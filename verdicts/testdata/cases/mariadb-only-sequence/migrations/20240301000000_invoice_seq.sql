-- migrate:up
CREATE SEQUENCE invoice_seq START WITH 1000 INCREMENT BY 1;

-- migrate:down
DROP SEQUENCE invoice_seq;
