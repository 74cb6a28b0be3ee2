"""Image classifier: MLPs and CNNs trained live on Fashion-MNIST, MNIST, 8x8 digits or CIFAR-10, then judged.
Modules: datasets, pipeline (classic vs fast), models, training, run (a learner's run), evaluation, checkpoints, config, code."""
