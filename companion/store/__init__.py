"""The local store: files, records, atomic writes, generations, migrations, forgetting."""
