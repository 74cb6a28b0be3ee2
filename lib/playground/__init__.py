"""Network playground: a small MLP learns a 2-D classifier live, its decision boundary redrawn as it trains.
`config` settings and checks, `data` toy data sets, `model` the MLP and optimizer, `training` a run and its
steps, `views` boundary/neuron maps/diagram/softmax, `recipes` the classic tutorial's preset, `code` the standalone
script."""
