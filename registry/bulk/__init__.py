"""Members' bulk filing from an accounting export: reading the CSV (`reading`), the
preview with per-row errors (`plan`), the batch kept server-side from upload to filing
(`batches`), and filing it a few complaints at a time (`steps`)."""
