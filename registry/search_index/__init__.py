"""The search index of business names, kept beside the directory: its tables in the
database (`name_index`, written with every change to a business's names, and its change
feed), the look-ups a search makes in them (`database_index`), a process's copy of it in
memory (`memory_copy`), the machine's read-only file of it (its generations written by
`index_file`, mapped read-only by `mapped_file`), a process's copy over that file (the
file plus an overlay of the changes since it, `mapped_copy`), and which of them a process
searches (`process_index`). `matching/` decides what its rows are."""
