-- The same schema as a.schema, as PostgreSQL DDL. The roles exist on the
-- server; .sql files do not declare them.

CREATE TABLE documents (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    owner text NOT NULL,
    archived boolean NOT NULL DEFAULT false
);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON documents FOR ALL TO app_user
    USING (account_id = current_setting('app.account_id')::uuid)
    WITH CHECK (account_id = current_setting('app.account_id')::uuid);
CREATE POLICY hide_archived ON documents AS RESTRICTIVE FOR SELECT TO app_user USING (NOT archived);
CREATE POLICY admin_all ON documents TO app_admin USING (true);
