ALTER TABLE fx_int_zerofill MODIFY a int ZEROFILL;
