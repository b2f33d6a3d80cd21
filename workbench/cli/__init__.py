"""The `iamwb` command line."""
