-- Products, owned by the organisation whose product it is. Agreements are scoped on products by id, not by name,
-- so renaming a product (or two owners using one name) cannot widen or narrow what an agreement covers.
CREATE TABLE products (
    id TEXT NOT NULL PRIMARY KEY,
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    form TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (owner_org_id, name)
);
-- Existing transfers name their product: one product per owner and name, its id the first such transfer's.
INSERT INTO products (id, owner_org_id, name, form, created_at)
    SELECT MIN(id), sponsor_org_id, product, MIN(product_form), MIN(created_at) FROM transfers
    GROUP BY sponsor_org_id, product;
ALTER TABLE transfers ADD COLUMN product_id TEXT REFERENCES products (id);
UPDATE transfers SET product_id = (SELECT p.id FROM products p
    WHERE p.owner_org_id = transfers.sponsor_org_id AND p.name = transfers.product);
CREATE INDEX transfers_product ON transfers (product_id);
ALTER TABLE transfers DROP COLUMN product;
ALTER TABLE transfers DROP COLUMN product_form;

CREATE TABLE agreement_product_scope (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    PRIMARY KEY (agreement_id, product_id)
);
INSERT INTO agreement_product_scope (agreement_id, product_id)
    SELECT DISTINCT s.agreement_id, p.id FROM agreement_products s
    JOIN agreements a ON a.id = s.agreement_id
    JOIN products p ON p.name = s.product
        AND p.owner_org_id IN (a.grantor_org_id, a.grantee_org_id);
DROP TABLE agreement_products;
