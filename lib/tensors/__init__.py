"""Tensor playground: creating, indexing, reshaping, combining, converting and timing tensors, and why.
Modules: basics (shapes, dtypes, memory budget), create (factories), ranks (a photo at ranks 0-5), views and
index_parser (storage, strides, safe indexing), operations (broadcasting, matmul, reductions, in place),
promotion (dtype rule, overflow), bridge (NumPy memory sharing), timing (CPU vs GPU), display, config, code."""
