-- One database per service, so each service owns its schema and migrations.
-- The postgres image runs this once, on an empty data volume, connected as
-- POSTGRES_USER (wushe), which therefore owns every database created here.
-- CREATE DATABASE cannot run inside a DO block or take IF NOT EXISTS, hence
-- the \gexec form: it skips a name that already exists (e.g. POSTGRES_DB).

SELECT format('CREATE DATABASE %I', wanted.db)
FROM unnest(ARRAY['intake', 'ledger', 'charity', 'notify']) AS wanted(db)
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = wanted.db)
\gexec

-- Only the owner may connect; other roles added later get no access by default.
REVOKE CONNECT ON DATABASE intake, ledger, charity, notify FROM PUBLIC;
