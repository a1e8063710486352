"""The `rustok` command line."""
