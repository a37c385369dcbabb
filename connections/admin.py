from connections import source_admin  # noqa: F401  (inbound sources)
