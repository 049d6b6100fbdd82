"""The fast internals of scoring (tokens as arrays, vocabularies, memo tables): private to :mod:`diplo.scoring`."""
