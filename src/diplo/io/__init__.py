"""Stage 1, files in and out: raw files and their encodings, packaged resources, the codebook, and the output
tables (written atomically, read back with filters).

Modules: :mod:`~diplo.io.raw` (raw files -> :class:`RawDocument`), :mod:`~diplo.io.resources` (packaged data
files), :mod:`~diplo.io.codebook` (every output column), :mod:`~diplo.io.outputs` (write and read tables),
:mod:`~diplo.io.generation` (the published generation of an output folder), :mod:`~diplo.io.csvsafe` (CSV
safe in spreadsheets), :mod:`~diplo.io.paths` (outputs outside raw, regular inputs only), :mod:`~diplo.io.labels`
(bounded outlet/title/author).
"""

from diplo.io.codebook import CODEBOOK, describe, render_codebook
from diplo.io.outputs import OUTPUT_EXTRAS, OUTPUT_TABLES, load_outputs, read_table, write_table
from diplo.io.raw import Limits, RawDocument, iter_raw_files, load_documents, load_metadata

__all__ = ["CODEBOOK", "describe", "render_codebook", "OUTPUT_EXTRAS", "OUTPUT_TABLES", "load_outputs", "read_table",
           "write_table", "Limits", "RawDocument", "iter_raw_files", "load_documents", "load_metadata"]
