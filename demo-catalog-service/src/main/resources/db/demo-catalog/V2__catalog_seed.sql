-- Demo catalog seed: 20 categories and 10,000 products, generated, deterministic (every value
-- is arithmetic on the id; no random()), so every demo database holds the same catalog.
-- Idempotent: ON CONFLICT DO NOTHING, so running this script again by hand changes nothing.
-- It runs before the tables are tracked (V3), so the initial data is not logged as changes.

INSERT INTO categories (id, name)
SELECT c.id, c.name
  FROM unnest(ARRAY[
           'Books', 'Electronics', 'Kitchen', 'Garden', 'Toys',
           'Sports', 'Music', 'Office', 'Tools', 'Outdoor',
           'Bath', 'Bedding', 'Lighting', 'Pets', 'Travel',
           'Beauty', 'Games', 'Crafts', 'Storage', 'Automotive'])
       WITH ORDINALITY AS c(name, id)
ON CONFLICT (id) DO NOTHING;

WITH words AS (
    SELECT ARRAY['Compact', 'Classic', 'Deluxe', 'Rugged', 'Slim', 'Smart',
                 'Vintage', 'Modular', 'Portable', 'Premium', 'Quiet', 'Bright'] AS adjectives,
           ARRAY['Oak', 'Steel', 'Cotton', 'Bamboo', 'Ceramic', 'Leather', 'Glass', 'Wool'] AS materials,
           -- one noun per category, in category id order
           ARRAY['Notebook', 'Speaker', 'Kettle', 'Planter', 'Puzzle',
                 'Racket', 'Headphones', 'Desk Organizer', 'Screwdriver Set', 'Tent',
                 'Towel', 'Pillow', 'Lamp', 'Pet Bed', 'Backpack',
                 'Brush', 'Board Game', 'Yarn Kit', 'Storage Box', 'Floor Mat'] AS nouns,
           ARRAY['EUR', 'USD', 'GBP'] AS currencies
),
ids AS (
    SELECT g AS id,
           1 + (g - 1) % 20 AS category_id
      FROM generate_series(1, 10000) AS g
)
INSERT INTO products (id, sku, name, description, price_cents, currency, category_id, stock)
SELECT ids.id,
       'SKU-' || lpad(ids.id::text, 6, '0'),
       format('%s %s %s No. %s',
              w.adjectives[1 + ((ids.id - 1) / 20) % 12],
              w.materials[1 + ((ids.id - 1) / 240) % 8],
              w.nouns[ids.category_id],
              ids.id),
       format('A %s %s %s from the %s department (item %s of 10000).',
              lower(w.adjectives[1 + ((ids.id - 1) / 20) % 12]),
              lower(w.materials[1 + ((ids.id - 1) / 240) % 8]),
              lower(w.nouns[ids.category_id]),
              c.name,
              ids.id),
       ((ids.id * 7919) % 998 + 1) * 100 - 1,   -- 0.99 .. 997.99, always ending in .99
       w.currencies[1 + ids.id % 3],
       ids.category_id,
       (ids.id * 37) % 501                       -- 0 .. 500; some products are out of stock
  FROM ids
  JOIN categories c ON c.id = ids.category_id
 CROSS JOIN words w
ON CONFLICT (id) DO NOTHING;
