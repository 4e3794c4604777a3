"""Bundled example datasets (Parquet files and their cards), installed as ``concentration._data``."""
