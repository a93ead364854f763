-- Runs once, when the PostgreSQL volume is new: dura's records live beside Temporal's databases.
CREATE DATABASE dura;
