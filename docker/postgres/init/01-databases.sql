-- One database per service (the services also create theirs if missing and run their own migrations).
CREATE DATABASE snaptrack_config;
CREATE DATABASE snaptrack_campaign;
CREATE DATABASE snaptrack_conversion;
CREATE DATABASE snaptrack_dispatcher;
CREATE DATABASE snaptrack_account;
