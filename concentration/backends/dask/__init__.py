"""The Dask back end: public functions over Dask DataFrames, one group at a time."""
