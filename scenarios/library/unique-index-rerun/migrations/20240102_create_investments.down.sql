DROP TABLE investments;
