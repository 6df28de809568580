-- The browser tab whose request made a change (its `X-Baton-Tab` header), so that tab need not load its own change
-- again while the user's other tabs do.
ALTER TABLE events ADD COLUMN origin TEXT;
