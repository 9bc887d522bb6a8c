-- Roles of the hub (see libs/persistence/src/database-setup.ts): the owner runs migrations and owns
-- the schema; the application role owns nothing and cannot bypass row-level security.
create role hub_owner login bypassrls password 'hub_owner';
create role hub_app login nobypassrls password 'hub_app';
create database dispatch_hub owner hub_owner;
\connect dispatch_hub
alter schema public owner to hub_owner;
revoke create on schema public from public;
