DROP TABLE states;
