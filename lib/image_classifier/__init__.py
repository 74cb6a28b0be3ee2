"""Image classifier: MLPs and CNNs trained live on Fashion-MNIST, MNIST, 8x8 digits or CIFAR-10, then judged.
Modules: datasets, pipeline (classic vs fast), models, recipes (each preset's training recipe), training, cost
(memory and time for the gate), run (a learner's run), logs (TensorBoard), evaluation, checkpoints, config, code."""
