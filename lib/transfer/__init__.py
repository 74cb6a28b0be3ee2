"""Transfer learning: a pretrained backbone, frozen then fine-tuned, against a network trained from scratch on few
images. `config` settings, `data` few-shot draws and your own classes, `archive` safe ImageFolder zips, `backbone`
VGG19/ResNet cut into a frozen prefix and a last block, `features` extract once and cache, `strategies` the three
models, `training` their generators and best checkpoints, `lab` the session's draw and runs, `session` webcam shots,
decoded pictures and the last sweep, `checkpoints` save/load, `projection` PCA, `efficiency` the sweep, `cost`
memory and time estimates, `logs` TensorBoard, `code` the script."""
