"""Studies over many engagements: Monte Carlo, sweeps, the Parquet results dataset,
DuckDB queries and the HTML report (docs/studies.md)."""
