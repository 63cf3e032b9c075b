"""What the two SQL engines share: the Store contract's queries and policy, written once.

`SQLStore` holds every query that reads the same on SQLite and PostgreSQL and the policy behind
them, in rooms of their own:

- store.py: episodes, memories, versions, links, filters, stats and export (`SQLStore` itself);
- queue.py: the durable extraction queue;
- purge.py: what a purge takes in (whatever was derived from a purged episode goes with it) and
  what it leaves behind in links, jobs and the histories of the memories that survive it;
- engine.py: the hooks and settings an engine supplies, and the helpers built on them.

An engine (store/sqlite.py, store/postgres.py) subclasses `SQLStore` and supplies only what
differs, as Django's database backends do: running SQL (`_q`, `_x`, `_many`, `transaction`; the
shared SQL is written with psycopg's `%s`, which SQLite turns into its `?`), binding a list
(`_in`), the tag clause, the claim's row lock, the JSON and time conversions (`rows`, a
remem.store.rows.Codec), the memory row's engine columns (vector, tokens), lexical and dense
search, and what follows a write (`_changed`) or a forgetting (`_scrub_soon`).
"""

from remem.store.sql.store import SQLStore

__all__ = ["SQLStore"]
