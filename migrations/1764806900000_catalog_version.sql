-- Up Migration

-- Every change to a consignor's products bumps its catalog version, whoever makes it (crews, operators,
-- manual SQL). Cached catalogs are keyed by that version, so a change invalidates them at once.
ALTER TABLE consignors ADD COLUMN catalog_version bigint NOT NULL DEFAULT 1;

CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE consignors SET catalog_version = catalog_version + 1 WHERE id = OLD.consignor_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.consignor_id IS DISTINCT FROM OLD.consignor_id) THEN
    UPDATE consignors SET catalog_version = catalog_version + 1 WHERE id = NEW.consignor_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER products_bump_catalog_version AFTER INSERT OR UPDATE OR DELETE ON products
  FOR EACH ROW EXECUTE FUNCTION bump_catalog_version();

-- Down Migration
DROP TRIGGER products_bump_catalog_version ON products;
DROP FUNCTION bump_catalog_version();
ALTER TABLE consignors DROP COLUMN catalog_version;
