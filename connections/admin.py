from connections import outbound_admin, source_admin  # noqa: F401  (each registers its models)
