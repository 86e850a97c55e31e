"""On PostgreSQL, the ledger's write and the shop's redemption as functions: each is then one statement, its own
transaction when no other is open. A redemption from the phone went from nine round trips to the database (BEGIN,
the read, the order, the balance, its entry, the stock, COMMIT, and the token's two) to four; services/shop.py gives
the figures. SQLite runs the same steps from Python (services/points.py, services/shop.py), and the tests run both.

Changing either function means a new migration that replaces it (CREATE OR REPLACE)."""
from django.db import migrations

# The balance moves only while it stays at or above zero; the entry records the balance it left. No row back: too
# few points, and nothing changed.
POST = """
CREATE OR REPLACE FUNCTION volunteers_post(p_account bigint, p_delta integer, p_kind text, p_ref text,
                                           p_rule bigint, p_note text, p_actor bigint, p_at timestamptz,
                                           p_earned boolean)
RETURNS TABLE (entry_id bigint, new_balance integer) LANGUAGE sql AS $$
    WITH moved AS (
        UPDATE volunteers_pointsaccount
           SET balance = balance + p_delta,
               earned = earned + CASE WHEN p_earned THEN p_delta ELSE 0 END
         WHERE id = p_account AND balance + p_delta >= 0
        RETURNING balance)
    INSERT INTO volunteers_pointsentry (account_id, at, kind, delta, balance_after, rule_id, ref, note, actor_id)
    SELECT p_account, p_at, p_kind, p_delta, moved.balance, p_rule, p_ref, p_note, p_actor FROM moved
    RETURNING id, balance_after
$$"""

# Locks in the order every path of the shop takes them: the item, then the account. Too few points puts the stock
# back in the same statement, so an outcome other than 'placed' changed nothing. A second order with the same key
# fails on the unique index and the whole statement with it.
REDEEM = """
CREATE OR REPLACE FUNCTION volunteers_redeem(p_account bigint, p_item bigint, p_quantity integer, p_cost integer,
                                             p_key text, p_note text, p_actor bigint, p_at timestamptz,
                                             p_state text, p_kind text)
RETURNS TABLE (outcome text, placed_id bigint, new_balance integer) LANGUAGE plpgsql AS $$
DECLARE
    v_order bigint := nextval(pg_get_serial_sequence('volunteers_order', 'id'));
    v_balance integer;
BEGIN
    UPDATE volunteers_shopitem SET stock = stock - p_quantity
     WHERE id = p_item AND is_active AND stock >= p_quantity;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'out_of_stock'::text, NULL::bigint, NULL::integer;
        RETURN;
    END IF;
    SELECT p.new_balance INTO v_balance
      FROM volunteers_post(p_account, -p_cost, p_kind, 'order:' || v_order, NULL, p_note, p_actor, p_at, false) p;
    IF v_balance IS NULL THEN
        UPDATE volunteers_shopitem SET stock = stock + p_quantity WHERE id = p_item;
        RETURN QUERY SELECT 'insufficient_points'::text, NULL::bigint, NULL::integer;
        RETURN;
    END IF;
    INSERT INTO volunteers_order (id, created_at, updated_at, account_id, item_id, quantity, points, state, "key",
                                  cancel_reason)
    VALUES (v_order, p_at, p_at, p_account, p_item, p_quantity, p_cost, p_state, p_key, '');
    RETURN QUERY SELECT 'placed'::text, v_order, v_balance;
END
$$"""

DROP = ["DROP FUNCTION IF EXISTS volunteers_redeem(bigint, bigint, integer, integer, text, text, bigint, timestamptz, "
        "text, text)",
        "DROP FUNCTION IF EXISTS volunteers_post(bigint, integer, text, text, bigint, text, bigint, timestamptz, "
        "boolean)"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POST)
        schema_editor.execute(REDEEM)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0003_party_posts")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
