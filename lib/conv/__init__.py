"""Convolution & pooling: kernels sliding over a grid and a photo, pooling, VGG19's filters, layer-stack shapes.
Modules: config, kernels, shapes (output size), window, image_ops, pooling, filters (VGG), layer_stack, code."""
