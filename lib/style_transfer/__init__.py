"""Neural style transfer (Gatys et al.): a photo repainted by gradient descent on its pixels until its VGG19
features match the photo and its Gram matrices match a painting - live, with the classic recipe one click away.
Modules: config (settings, ranges, link names), presets (fast default vs the tutorial's recipe), images (PIL <->
tensors, sizes, colours), losses (Gram matrices, the objective), optimise (the step generator), cost (memory and
time for the gate), explain (sentences chosen by the computation), run (a learner's StyleRun), output (PNG download), code (the standalone script)."""
