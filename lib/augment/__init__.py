"""Data augmentation with torchvision `transforms.v2`: build a pipeline from a catalogue, preview seeded random draws.
Modules: specs + registry (the catalogue), config, pipeline (steps, build, page state), kernels (bit-exact faster
ColorJitter/RandomRotation), sampling (seeded draws), images (display, boxes, masks), normalise, json_io
(JSON files and the link's compact pipeline), recipes (the tutorials' pipelines), code."""
